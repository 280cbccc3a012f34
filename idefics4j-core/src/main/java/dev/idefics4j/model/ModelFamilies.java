package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.idefics.IdeficsFamily;
import dev.idefics4j.model.idefics2.Idefics2Family;
import dev.idefics4j.request.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The supported families by {@code model_type}: where a checkpoint folder finds its model and processor. */
public final class ModelFamilies {
    private static final List<ModelFamily> FAMILIES = List.of(new IdeficsFamily(), new Idefics2Family());

    private ModelFamilies() {
    }

    public static List<ModelFamily> all() {
        return FAMILIES;
    }

    /** The family of a checkpoint folder, from its config.json's {@code model_type} (nothing else is read). */
    public static ModelFamily of(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": file not found (a checkpoint folder needs config.json)", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": " + JsonErrors.describeFile(e), e);
        }
        return of(root, file.toString());
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
