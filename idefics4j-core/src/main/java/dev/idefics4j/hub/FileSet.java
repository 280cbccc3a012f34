package dev.idefics4j.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which files of a repository a snapshot holds: those matching an {@code include} glob and no {@code exclude} glob.
 * Globs follow Python's {@code fnmatch}, as huggingface_hub's {@code allow_patterns} do: {@code *} also matches
 * {@code /}, and a pattern ending in {@code /} means everything below that folder.
 *
 * <p>Two rules make a selection loadable as transformers loads it. A selected {@code X.safetensors.index.json} is
 * dropped when {@code X.safetensors} is selected too (the single file wins), and a kept index brings in every shard
 * its {@code weight_map} names (see {@link HubClient}). Each {@code required} group lists alternatives of which the
 * repository must have at least one, so that a repository without usable weights fails before anything downloads.
 *
 * @param include  globs of the files wanted; a literal name the repository lacks is skipped
 * @param exclude  globs of files never wanted, even if an include matches them
 * @param required groups of alternative literal names, at least one of each must exist
 */
public record FileSet(List<String> include, List<String> exclude, List<List<String>> required) {
    private static final String INDEX_SUFFIX = ".index.json";

    /**
     * What a checkpoint of the IDEFICS family needs: configs (the processor's and the chat template too, which
     * Idefics2, Idefics3 and SmolVLM ship), tokenizer files (SentencePiece, tokenizer.json, or byte-level vocab.json
     * and merges.txt) and safetensors weights (one file, or an index and its shards). PyTorch pickles, TensorFlow,
     * Flax and ONNX weights are never fetched.
     */
    public static final FileSet IDEFICS = new FileSet(
            List.of("config.json", "generation_config.json", "preprocessor_config.json", "processor_config.json",
                    "chat_template.json", "chat_template.jinja", "tokenizer.model", "tokenizer.json",
                    "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json",
                    "merges.txt", "model.safetensors", "model.safetensors.index.json"),
            List.of("*.bin", "*.pt", "*.pth", "*.h5", "*.msgpack", "*.ckpt"),
            List.of(List.of("config.json"), List.of("model.safetensors", "model.safetensors.index.json")));

    public FileSet {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        required = required.stream().map(List::copyOf).toList();
    }

    /** The files matching any of {@code patterns}, nothing excluded or required. */
    public static FileSet of(List<String> patterns) {
        return new FileSet(patterns, List.of(), List.of());
    }

    public static FileSet of(String... patterns) {
        return of(Arrays.asList(patterns));
    }

    public FileSet excluding(String... patterns) {
        return new FileSet(include, Stream.concat(exclude.stream(), Stream.of(patterns)).toList(), required);
    }

    /** Also demands that the repository has at least one of {@code alternatives}. */
    public FileSet requiring(String... alternatives) {
        List<List<String>> r = new ArrayList<>(required);
        r.add(List.of(alternatives));
        return new FileSet(include, exclude, r);
    }

    /** Whether {@code path} is wanted on its own (before the index rules). */
    public boolean matches(String path) {
        return anyMatch(include, path) && !anyMatch(exclude, path);
    }

    /**
     * The files of {@code repo} this set selects, in listing order, without the shards an index will bring in.
     *
     * @throws HubException FILE_NOT_FOUND when a required group has no file in the repository
     */
    List<RepoFile> select(RepoInfo repo, String repoName) {
        for (List<String> group : required) {
            if (group.stream().noneMatch(name -> repo.file(name).isPresent())) {
                throw new HubException(HubException.Kind.FILE_NOT_FOUND, repoName + " has none of " + group
                        + unusableHint(repo.files().stream().map(RepoFile::path).toList()));
            }
        }
        List<RepoFile> chosen = repo.files().stream().filter(f -> matches(f.path())).toList();
        Set<String> names = new LinkedHashSet<>();
        chosen.forEach(f -> names.add(f.path()));
        return chosen.stream().filter(f -> !supersededIndex(f.path(), names)).toList();
    }

    /** The literal include names {@code repo} does not have: huggingface_hub records them under {@code .no_exist}. */
    List<String> absentNames(RepoInfo repo) {
        return include.stream().filter(p -> isLiteral(p) && repo.file(p).isEmpty()).toList();
    }

    /**
     * What a cached snapshot lacks for this set, judged without the Hub: required groups with no file present, and
     * shards that a present index names but that are missing. Empty when the snapshot is usable.
     */
    List<String> missingFrom(Path snapshot) {
        List<String> missing = new ArrayList<>();
        for (List<String> group : required) {
            if (group.stream().noneMatch(name -> Files.exists(snapshot.resolve(name)))) {
                missing.add(String.join(" or ", group));
            }
        }
        for (String name : include) {
            if (isIndex(name) && isLiteral(name) && Files.exists(snapshot.resolve(name))
                    && !Files.exists(snapshot.resolve(singleFileOf(name)))) {
                for (String shard : ShardIndex.shardPaths(snapshot.resolve(name), name)) {
                    if (!Files.exists(snapshot.resolve(shard))) {
                        missing.add(shard);
                    }
                }
            }
        }
        return missing;
    }

    static boolean isIndex(String path) {
        return path.endsWith(".safetensors" + INDEX_SUFFIX);
    }

    /** {@code a/model.safetensors} for {@code a/model.safetensors.index.json}. */
    static String singleFileOf(String indexPath) {
        return indexPath.substring(0, indexPath.length() - INDEX_SUFFIX.length());
    }

    private static boolean supersededIndex(String path, Set<String> selected) {
        return isIndex(path) && selected.contains(singleFileOf(path));
    }

    /** Names the weights the repository has but this set refuses, so the user knows why nothing fits. */
    private String unusableHint(List<String> repoPaths) {
        List<String> refused = repoPaths.stream().filter(p -> anyMatch(exclude, p)).limit(5).toList();
        return refused.isEmpty() ? "." : ". It has " + refused + ", which idefics4j does not load: "
                + "convert the checkpoint to safetensors"
                + " (transformers: save_pretrained(..., safe_serialization=True)).";
    }

    private static boolean isLiteral(String pattern) {
        return pattern.chars().noneMatch(c -> c == '*' || c == '?' || c == '[') && !pattern.endsWith("/");
    }

    private static boolean anyMatch(List<String> patterns, String path) {
        return patterns.stream().anyMatch(p -> glob(p).matcher(path).matches());
    }

    /** fnmatch's translation: {@code *} any run, {@code ?} one character, {@code [...]}/{@code [!...]} a class. */
    static Pattern glob(String pattern) {
        String p = pattern.endsWith("/") ? pattern + "*" : pattern;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            int close = c == '[' ? p.indexOf(']', i + 2) : -1;
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (close > 0) {
                String body = p.substring(i + 1, close);
                re.append('[').append(body.startsWith("!") ? "^" + quoteClass(body.substring(1)) : quoteClass(body))
                        .append(']');
                i = close;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** Escapes what a Java character class treats specially but fnmatch does not ({@code [ & ^ \}). */
    private static String quoteClass(String body) {
        return body.replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&").replace("^", "\\^");
    }
}
