package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.configfile.GatewayConfig;
import java.util.List;

/**
 * Everything the {@link Translator} turns into Envoy resources. Other features add their state as
 * further components (with a {@code withX} method each), and read it in their {@link
 * TranslatorExtension}; {@link #of} stays the one place that lists the defaults.
 *
 * @param gateway listener, upstreams and routes from {@code tollgate.yaml}
 * @param systemCaFile CA bundle on the Envoy host used for https upstreams without a {@code caFile}
 * @param limits the limit rules and how Envoy reaches the rate-limit service
 * @param access the access entries of the REST API (the file's are in {@code gateway})
 */
public record TranslatorInput(
    GatewayConfig gateway, String systemCaFile, LimitsInput limits, List<AccessRule> access) {

  public TranslatorInput {
    access = List.copyOf(access);
  }

  /** Debian's (and most distributions') bundle of trusted public CAs. */
  public static final String DEFAULT_SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

  public static TranslatorInput of(GatewayConfig gateway) {
    return new TranslatorInput(gateway, DEFAULT_SYSTEM_CA_FILE, LimitsInput.NONE, List.of());
  }

  public TranslatorInput withGateway(GatewayConfig newGateway) {
    return new TranslatorInput(newGateway, systemCaFile, limits, access);
  }

  public TranslatorInput withSystemCaFile(String newSystemCaFile) {
    return new TranslatorInput(gateway, newSystemCaFile, limits, access);
  }

  public TranslatorInput withLimits(LimitsInput newLimits) {
    return new TranslatorInput(gateway, systemCaFile, newLimits, access);
  }

  public TranslatorInput withAccess(List<AccessRule> newAccess) {
    return new TranslatorInput(gateway, systemCaFile, limits, newAccess);
  }
}
