package dev.idefics4j;

import dev.idefics4j.image.ImageSource;

/** An example image with the answer the model should imitate, for few-shot prompting. */
public record FewShotExample(ImageSource image, String answer) {
}
