package dev.idefics4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A repository at one commit, from {@code GET /api/models/{repo}/revision/{revision}?blobs=true}.
 *
 * @param commit the 40-hex commit the revision pointed to
 * @param files  every file of the repository at that commit
 */
record RepoInfo(String commit, List<RepoFile> files) {
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    RepoInfo {
        files = List.copyOf(files);
    }

    Optional<RepoFile> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /** Reads the Hub's JSON; {@code source} names the request in errors. */
    static RepoInfo parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.OTHER, "The Hub's answer to " + source + " is not JSON", e);
        }
        String sha = root == null ? null : text(root.path("sha"));
        if (sha == null || !COMMIT.matcher(sha).matches()) {
            throw new HubException(HubException.Kind.OTHER,
                    "The Hub's answer to " + source + " has no commit hash ('sha'); is HF_ENDPOINT a Hub?");
        }
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode s : root.path("siblings")) {
            String name = text(s.path("rfilename"));
            if (name == null) {
                continue;
            }
            JsonNode lfs = s.path("lfs");
            String sha256 = text(lfs.path("sha256"));
            long size = lfs.has("size") ? lfs.path("size").asLong(-1) : s.path("size").asLong(-1);
            files.add(new RepoFile(name, size, text(s.path("blobId")), sha256));
        }
        return new RepoInfo(sha, files);
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.textValue() : null;
    }
}
