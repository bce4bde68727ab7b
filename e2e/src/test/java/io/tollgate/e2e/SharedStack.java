package io.tollgate.e2e;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every test class that asks the same stack of each kind: the {@link TollgateStack}, or the
 * {@link LimitsStack} (H2, memory counters, fail open), each started on first use and closed when
 * the whole test run ends (JUnit closes {@link AutoCloseable} values of the root store). A class
 * brings the proxy stack to the config it needs with {@link TollgateStack#use(String)}; classes on
 * the limits stack use paths and rule names of their own and leave Envoy as they found it.
 */
final class SharedStack implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedStack.class);

  private static final Map<Class<?>, Supplier<AutoCloseable>> STARTS =
      Map.of(
          TollgateStack.class,
          TollgateStack::start,
          LimitsStack.class,
          () -> LimitsStack.start(new LimitsStack.Variant(false, false, false)));

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return STARTS.containsKey(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(type, key -> STARTS.get(type).get());
  }
}
