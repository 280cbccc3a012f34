package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.DecodedImage;
import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.request.RequestParser;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Show the model's view of a prompt: the prompt string, token ids, masks and images (JSON).")
final class EncodeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    @Option(names = "--pixels", description = "Show each image as decoded, before resizing: images[row][i] becomes "
            + "{source, width, height, decoder, rgb}, rgb its height x width x 3 samples (transparency composited "
            + "on white) as one flat list, to compare with Pillow's.")
    boolean pixels;

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        LocalInputs.checkRequest(request, input.baseDir());
        List<DecodedImage> decoded = new ArrayList<>();
        ImageLoader loader = pixels ? new ImageLoader(ImageLimits.DEFAULTS, decoded::add) : new ImageLoader();
        Processor processor = model.processor(loader);
        ModelInputs in = processor.process(RequestParser.prompts(request, input.baseDir()),
                RequestParser.processorOptions(request));
        Map<String, Object> view = Requests.view(in);
        if (pixels) {
            view.put("images", withPixels(in.imageSources(), decoded));
        }
        System.out.println(Json.write(view));
        return 0;
    }

    /** Each row's image descriptions with the images the processor loaded, in the order it loaded them. */
    private static List<List<Map<String, Object>>> withPixels(List<List<String>> sources, List<DecodedImage> images) {
        long count = sources.stream().mapToLong(List::size).sum();
        if (count != images.size()) {
            throw new IllegalStateException("the processor loaded " + images.size() + " images for " + count
                    + " image items");
        }
        List<List<Map<String, Object>>> rows = new ArrayList<>();
        int next = 0;
        for (List<String> row : sources) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String source : row) {
                DecodedImage image = images.get(next++);
                byte[] rgb = image.image().toBytes();
                int[] samples = new int[rgb.length];
                for (int i = 0; i < rgb.length; i++) {
                    samples[i] = rgb[i] & 0xFF;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("source", source);
                entry.put("width", image.image().width());
                entry.put("height", image.image().height());
                entry.put("decoder", image.decoder());
                entry.put("rgb", samples);
                out.add(entry);
            }
            rows.add(out);
        }
        return rows;
    }
}
