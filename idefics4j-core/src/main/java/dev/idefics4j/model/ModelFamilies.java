package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.model.idefics.IdeficsFamily;
import dev.idefics4j.model.idefics2.Idefics2Family;
import dev.idefics4j.model.idefics3.Idefics3Family;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The supported families by {@code model_type}: where a checkpoint folder finds its model and processor. */
public final class ModelFamilies {
    private static final List<ModelFamily> FAMILIES = List.of(new IdeficsFamily(), new Idefics2Family(),
            new Idefics3Family());

    private ModelFamilies() {
    }

    public static List<ModelFamily> all() {
        return FAMILIES;
    }

    /** The family of a checkpoint folder, from its config.json's {@code model_type} (nothing else is read). */
    public static ModelFamily of(Path dir) {
        Path file = dir.resolve("config.json");
        return of(ConfigReader.readConfigJson(file), file.toString());
    }

    /** The family of a config ({@code where} names it in errors). */
    public static ModelFamily of(JsonNode config, String where) {
        JsonNode type = config == null ? null : config.get("model_type");
        if (type == null || !type.isTextual()) {
            throw new CheckpointException(where + ": field 'model_type' is missing; supported: " + supported());
        }
        return forType(type.asText(), where);
    }

    /** The family of {@code modelType}; an unknown type is refused naming the supported ones. */
    public static ModelFamily forType(String modelType, String where) {
        for (ModelFamily f : FAMILIES) {
            if (f.modelType().equals(modelType)) {
                return f;
            }
        }
        throw new CheckpointException(where + ": field 'model_type' is \"" + modelType + "\"; idefics4j runs "
                + supported());
    }

    /**
     * A published configuration bundled as a resource {@code configs/<name>.json} beside {@code family}'s class, when
     * {@code name} is one of {@code names}.
     */
    public static Optional<ObjectNode> bundledConfig(Class<? extends ModelFamily> family, List<String> names,
                                                     String name) {
        if (!names.contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = family.getResourceAsStream("configs/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("bundled config " + name + " missing from the jar");
            }
            return Optional.of((ObjectNode) new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A published configuration bundled with any family ({@code idefics-9b}, ...). */
    public static ObjectNode publishedConfig(String name) {
        List<String> known = new ArrayList<>();
        for (ModelFamily f : FAMILIES) {
            Optional<ObjectNode> c = f.publishedConfig(name);
            if (c.isPresent()) {
                return c.get();
            }
            known.addAll(f.publishedConfigNames());
        }
        throw new CheckpointException("unknown model '" + name + "'; known: " + String.join(", ", known)
                + ", or a path to a config.json");
    }

    private static String supported() {
        List<String> types = new ArrayList<>();
        FAMILIES.forEach(f -> types.add("\"" + f.modelType() + "\""));
        return "model_type " + String.join(", ", types);
    }
}
