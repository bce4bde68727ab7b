package io.tollgate.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands the classes that extend it the same {@link LimitsStack} (H2, memory counters, fail open),
 * started on first use and closed when the whole test run ends (JUnit closes {@link AutoCloseable}
 * values of the root store), as {@link SharedStack} does for the proxy stack. Each class uses paths
 * and rule names of its own and leaves Envoy as it found it.
 */
final class SharedLimitsStack implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedLimitsStack.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LimitsStack.class;
  }

  @Override
  public LimitsStack resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(
            "stack",
            key -> LimitsStack.start(new LimitsStack.Variant(false, false, false)),
            LimitsStack.class);
  }
}
