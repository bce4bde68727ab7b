package io.tollgate.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every test class the same {@link TollgateStack}, started on first use and closed when the
 * whole test run ends (JUnit closes {@link AutoCloseable} values of the root store). Each class
 * brings it to the config it needs with {@link TollgateStack#use(String)}.
 */
final class SharedStack implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedStack.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TollgateStack.class;
  }

  @Override
  public TollgateStack resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent("stack", key -> TollgateStack.start(), TollgateStack.class);
  }
}
