/**
 * Remote stores: reading them in place by byte ranges through Flink's file systems (the default),
 * or copying them whole into a bounded node-local cache ({@code RemoteMode}); the resolvers that
 * pick one, their settings and metrics; and the client-side checks of store paths ({@code
 * StorePaths}).
 */
package io.github.flinkanndata.source.cache;
