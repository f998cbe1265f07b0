package io.columnseal.testing;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects {@link SharedSpark#session()} into test constructors, methods and lifecycle methods
 * that take a {@link SparkSession}: {@code @ExtendWith(SharedSparkExtension.class)}.
 */
public final class SharedSparkExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return SharedSpark.session();
  }
}
