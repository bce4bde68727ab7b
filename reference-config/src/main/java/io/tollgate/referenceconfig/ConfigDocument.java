package io.tollgate.referenceconfig;

import java.util.List;

/**
 * One configuration file (or one xDS resource) after parsing and type checks, before the semantic
 * checks: the reference's {@code YamlRoot}.
 *
 * @param source the file name or resource name that error messages cite
 * @param warnings what was read but ignored, as the reference ignores it (documents after the
 *     first), for the loader to log
 */
public record ConfigDocument(
    String source, String domain, List<DescriptorSpec> descriptors, List<String> warnings) {

  public ConfigDocument {
    descriptors = List.copyOf(descriptors);
    warnings = List.copyOf(warnings);
  }

  public ConfigDocument(String source, String domain, List<DescriptorSpec> descriptors) {
    this(source, domain, descriptors, List.of());
  }
}
