/**
 * The continuous-training example: an online learner fed by the source over unbounded epochs,
 * with model snapshots and progress.
 */
package io.github.flinkanndata.examples.training;
