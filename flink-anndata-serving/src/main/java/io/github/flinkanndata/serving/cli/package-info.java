/** {@code anndata-serve}: the launcher that builds and runs the serving job (source, routing, sink). */
package io.github.flinkanndata.serving.cli;
