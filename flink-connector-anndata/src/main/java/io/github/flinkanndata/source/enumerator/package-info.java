/**
 * The split enumerators: a shared base ({@code AnnDataSplitEnumerator}) with a static and a
 * growing one, their checkpointed state, the plan and split events exchanged with readers, and
 * the discovery of stores joining a growing collection.
 */
package io.github.flinkanndata.source.enumerator;
