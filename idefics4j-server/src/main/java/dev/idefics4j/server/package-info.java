/**
 * The idefics4j HTTP server: OpenAI-compatible chat completions and TGI-compatible generate routes over one loaded
 * model, with continuous batching, streaming (server-sent events), Prometheus metrics and hard limits on what a
 * request may cost. See docs/SERVER.md.
 */
package dev.idefics4j.server;
