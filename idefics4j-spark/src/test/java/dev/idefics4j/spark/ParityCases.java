package dev.idefics4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.IdeficsProcessor;
import dev.idefics4j.testing.TestData;

import java.util.ArrayList;
import java.util.List;

/**
 * Requests as a Spark input row gives them, each with the {@code batch} line that asks the same: the guide's prompt
 * written out as items, the facade's settings as options. Prompts of different lengths share settings, so that they
 * share batches; some rows stop early (an {@code eos_token_id} the model produces), so that batches carry trailing
 * padding (an end token, a stop string); sampling and beam search rows run alone.
 */
final class ParityCases {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INSTRUCTION = "Instruction: Provide an answer to the question. Use the image to answer.\n";

    record Case(String id, ObjectNode row, ObjectNode batchLine) {
    }

    private ParityCases() {
    }

    static String image(String name) {
        return TestData.fixture("images/" + name).toString();
    }

    /** @param earlyEos a token the model produces a few steps into some answers (see {@link #earlyEos}) */
    static List<Case> all(Idefics idefics, int earlyEos) {
        List<Case> cases = new ArrayList<>();
        String cat = image("cat_rgb_97x61.jpg");
        String rocket = image("rocket_rgb_200x320.jpg");
        String astronaut = image("astronaut_rgba_64x80.png");
        String camera = image("camera_gray_50x40.png");
        String coffee = image("coffee_palette_48x48.gif");
        cases.add(task(idefics, "caption-1", "caption", cat, null, 10, items(img(cat))));
        cases.add(task(idefics, "caption-2", "caption", rocket, null, 10, items(img(rocket))));
        cases.add(task(idefics, "caption-3", "caption", astronaut, "This is an image of ", 30,
                items(img(astronaut), "This is an image of ")));
        String[][] questions = {{cat, "What animal is this?"},
                {astronaut, "Who is in the picture and what are they wearing on their head, if anything at all?"},
                {camera, "Why?"}, {coffee, "What is in the cup?"}, {rocket, "Where is it going?"}};
        for (int i = 0; i < questions.length; i++) {
            String[] q = questions[i];
            cases.add(task(idefics, "ask-" + (i + 1), "ask", q[0], q[1], 20,
                    items(INSTRUCTION, img(q[0]), "Question: " + q[1] + " Answer:")));
        }
        cases.add(task(idefics, "describe-1", "describe", coffee, "Write a short product description.", 100,
                items("Instruction: Write a short product description.\n", img(coffee))));
        Case classify = task(idefics, "classify-1", "classify", cat, null, 6, items(
                "Instruction: Classify the following image into a single category from the following list: "
                        + "['cat', 'dog', 'rocket'].\n", img(cat), "Category: "));
        classify.row().set("labels", JSON.valueToTree(List.of("cat", "dog", "rocket")));
        cases.add(classify);
        // Raw requests, one and two prompts each, under the same settings: they share a batch.
        cases.add(raw("raw-1", request(8, items(img(camera), "A photo of"))));
        cases.add(raw("raw-2", request(8, items("Look:", img(rocket), "It shows"), items(img(cat)))));
        // Same settings again, with an end token that some of them produce early.
        for (int i = 0; i < questions.length; i++) {
            String[] q = questions[i];
            Case c = task(idefics, "early-" + (i + 1), "ask", q[0], q[1], 20,
                    items(INSTRUCTION, img(q[0]), "Question: " + q[1] + " Answer:"));
            c.row().put("eos_token_id", earlyEos);
            c.batchLine().put("eos_token_id", earlyEos);
            cases.add(c);
        }
        // And with a stop string: the text of that token.
        String stop = idefics.tokenizer().decode(new int[]{earlyEos}, true).strip();
        for (int i = 0; i < 3; i++) {
            String[] q = questions[i];
            Case c = task(idefics, "stop-" + (i + 1), "ask", q[0], q[1], 20,
                    items(INSTRUCTION, img(q[0]), "Question: " + q[1] + " Answer:"));
            c.row().putArray("stop").add(stop);
            c.batchLine().putArray("stop").add(stop);
            cases.add(c);
        }
        // Settings that never share a batch: sampling with a seed, beam search with two sequences.
        ObjectNode sampled = request(6, items(img(cat), "A cat"));
        sampled.put("do_sample", true).put("seed", 7).put("top_k", 20);
        cases.add(raw("sampled-1", sampled));
        ObjectNode beams = request(5, items(img(rocket), "A rocket"));
        beams.put("num_beams", 2).put("num_return_sequences", 2);
        cases.add(raw("beams-1", beams));
        return cases;
    }

    /** A token that the first early-* question produces as its third new token. */
    static int earlyEos(Idefics idefics) {
        String q = "What animal is this?";
        ObjectNode line = request(20, items(INSTRUCTION, img(image("cat_rgb_97x61.jpg")),
                "Question: " + q + " Answer:"));
        line.set("bad_words_ids", badWords(idefics));
        @SuppressWarnings("unchecked")
        var seq = ((List<java.util.Map<String, Object>>) dev.idefics4j.request.Requests.generate(idefics, line,
                java.nio.file.Path.of(".")).get("sequences")).getFirst();
        return ((int[]) seq.get("new_ids"))[2];
    }

    private static Case task(Idefics idefics, String id, String task, String image, String text, int maxNewTokens,
                             ArrayNode prompt) {
        ObjectNode row = JSON.createObjectNode().put("id", id).put("task", task).put("image", image);
        if (text != null) {
            row.put("text", text);
        }
        ObjectNode line = JSON.createObjectNode().put("id", id);
        line.set("prompt", prompt);
        line.set("bad_words_ids", badWords(idefics));
        line.put("max_new_tokens", maxNewTokens);
        return new Case(id, row, line);
    }

    private static Case raw(String id, ObjectNode request) {
        ObjectNode line = request.deepCopy().put("id", id);
        return new Case(id, line.deepCopy(), line);
    }

    private static ObjectNode request(int maxNewTokens, ArrayNode... prompts) {
        ObjectNode r = JSON.createObjectNode();
        if (prompts.length == 1) {
            r.set("prompt", prompts[0]);
        } else {
            r.putArray("prompts").addAll(List.of(prompts));
        }
        return r.put("max_new_tokens", maxNewTokens);
    }

    /** The guide's banned words: the image token and the fake token around images. */
    private static ArrayNode badWords(Idefics idefics) {
        ArrayNode bad = JSON.createArrayNode();
        bad.addArray().add(idefics.tokenizer().tokenToId(IdeficsProcessor.IMAGE_TOKEN));
        bad.addArray().add(idefics.tokenizer().tokenToId(IdeficsProcessor.FAKE_TOKEN));
        return bad;
    }

    private static ObjectNode img(String path) {
        return JSON.createObjectNode().put("image", path);
    }

    private static ArrayNode items(Object... items) {
        ArrayNode out = JSON.createArrayNode();
        for (Object item : items) {
            if (item instanceof ObjectNode node) {
                out.add(node);
            } else {
                out.add((String) item);
            }
        }
        return out;
    }
}
