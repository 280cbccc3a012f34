/**
 * IDEFICS in LangChain4j, in-process: {@link dev.idefics4j.langchain4j.IdeficsChatModel} and
 * {@link dev.idefics4j.langchain4j.IdeficsStreamingChatModel} run a loaded model in the application's own JVM through
 * the server's in-process engine (its chat format, image policy, limits and continuous batching), without HTTP.
 * See the README's "Use from LangChain4j".
 */
package dev.idefics4j.langchain4j;
