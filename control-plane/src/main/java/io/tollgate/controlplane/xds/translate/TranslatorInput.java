package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.gateway.GatewayConfig;

/**
 * Everything the {@link Translator} turns into Envoy resources. Other features add their state as
 * further components (with a {@code withX} method each), and read it in their {@link
 * TranslatorExtension}; {@link #of} stays the one place that lists the defaults.
 *
 * @param gateway listener, upstreams and routes from {@code tollgate.yaml}
 * @param systemCaFile CA bundle on the Envoy host used for https upstreams without a {@code caFile}
 */
public record TranslatorInput(GatewayConfig gateway, String systemCaFile) {

  /** Debian's (and most distributions') bundle of trusted public CAs. */
  public static final String DEFAULT_SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

  public static TranslatorInput of(GatewayConfig gateway) {
    return new TranslatorInput(gateway, DEFAULT_SYSTEM_CA_FILE);
  }

  public TranslatorInput withGateway(GatewayConfig newGateway) {
    return new TranslatorInput(newGateway, systemCaFile);
  }

  public TranslatorInput withSystemCaFile(String newSystemCaFile) {
    return new TranslatorInput(gateway, newSystemCaFile);
  }
}
