package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.configfile.GatewayConfig;

/**
 * Everything the {@link Translator} turns into Envoy resources. Other features add their state as
 * further components (with a {@code withX} method each), and read it in their {@link
 * TranslatorExtension}; {@link #of} stays the one place that lists the defaults.
 *
 * @param gateway listener, upstreams and routes from {@code tollgate.yaml}
 * @param systemCaFile CA bundle on the Envoy host used for https upstreams without a {@code caFile}
 * @param limits the limit rules and how Envoy reaches the rate-limit service
 */
public record TranslatorInput(GatewayConfig gateway, String systemCaFile, LimitsInput limits) {

  /** Debian's (and most distributions') bundle of trusted public CAs. */
  public static final String DEFAULT_SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

  public static TranslatorInput of(GatewayConfig gateway) {
    return new TranslatorInput(gateway, DEFAULT_SYSTEM_CA_FILE, LimitsInput.NONE);
  }

  public TranslatorInput withGateway(GatewayConfig newGateway) {
    return new TranslatorInput(newGateway, systemCaFile, limits);
  }

  public TranslatorInput withSystemCaFile(String newSystemCaFile) {
    return new TranslatorInput(gateway, newSystemCaFile, limits);
  }

  public TranslatorInput withLimits(LimitsInput newLimits) {
    return new TranslatorInput(gateway, systemCaFile, newLimits);
  }
}
