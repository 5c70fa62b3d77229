package io.github.flinkanndata.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Target;

/**
 * Marks a type or member that is public only so that other packages of the connector can use it:
 * not part of the API, free to change in any release. The Flink-free layers ({@code format},
 * {@code collection}) use it where the layers above use Flink's {@code @Internal}, which they
 * cannot import; the architecture tests treat the two alike.
 */
@Documented
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface Internal {}
