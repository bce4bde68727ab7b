package io.tollgate.ratelimit.config;

import java.util.List;

/**
 * One configuration file (or one xDS resource) after parsing and type checks, before the semantic
 * checks of {@link ConfigCompiler}: the reference's {@code YamlRoot}.
 *
 * @param source the file name or resource name that error messages cite
 */
public record ConfigDocument(String source, String domain, List<DescriptorSpec> descriptors) {

  public ConfigDocument {
    descriptors = List.copyOf(descriptors);
  }
}
