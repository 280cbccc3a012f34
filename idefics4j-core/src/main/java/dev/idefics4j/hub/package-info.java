/**
 * Fetching models from the Hugging Face Hub into the cache Python's {@code huggingface_hub} uses, so that both
 * share downloads. {@link dev.idefics4j.hub.ModelLocator} turns a folder or repo id into a model folder;
 * {@link dev.idefics4j.hub.HubClient} downloads snapshots, configured by {@link dev.idefics4j.hub.HubConfig} from the
 * same environment variables ({@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HOME}, {@code HF_HUB_CACHE},
 * {@code HF_HUB_OFFLINE}); {@link dev.idefics4j.hub.FileSet} says which files; every failure is a
 * {@link dev.idefics4j.hub.HubException}.
 */
package dev.idefics4j.hub;
