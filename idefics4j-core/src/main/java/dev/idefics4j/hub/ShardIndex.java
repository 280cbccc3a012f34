package dev.idefics4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The shard files a {@code *.safetensors.index.json} names in its {@code weight_map}. */
final class ShardIndex {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShardIndex() {
    }

    /**
     * The repository paths of the shards {@code indexFile} names, in first-mention order. Shard names are relative
     * to the index's own folder, as transformers resolves them.
     *
     * @param indexRepoPath the index's path inside the repository, to place the shards beside it
     */
    static List<String> shardPaths(Path indexFile, String indexRepoPath) {
        JsonNode map;
        try {
            map = JSON.readTree(indexFile.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new HubException(HubException.Kind.OTHER, "Cannot read the safetensors index " + indexFile
                    + " (" + e.getMessage() + "); delete it from the cache to download it again", e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new HubException(HubException.Kind.OTHER,
                    "The safetensors index " + indexRepoPath + " has no weight_map entries");
        }
        int slash = indexRepoPath.lastIndexOf('/');
        String folder = slash < 0 ? "" : indexRepoPath.substring(0, slash + 1);
        Set<String> shards = new LinkedHashSet<>();
        for (JsonNode shard : map) {
            String name = shard.isTextual() ? shard.textValue() : "";
            if (name.isEmpty() || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
                throw new HubException(HubException.Kind.OTHER,
                        "The safetensors index " + indexRepoPath + " names an invalid shard '" + name + "'");
            }
            shards.add(folder + name);
        }
        return new ArrayList<>(shards);
    }
}
