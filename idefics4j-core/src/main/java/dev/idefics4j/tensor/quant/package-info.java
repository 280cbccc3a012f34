/**
 * Quantized linear layers, as transformers + bitsandbytes quantize IDEFICS ({@code BitsAndBytesConfig}):
 * 4-bit FP4 or NF4 with an absmax per block of 64 weights of the flattened weight (optionally double-quantized
 * absmax), or 8-bit LLM.int8 row-wise absmax. Every {@code nn.Linear} except the lm head (and its
 * {@code additional_fc}) is quantized when the model loads; a quantized checkpoint can be written once in
 * bitsandbytes' own state-dict layout and loaded without the original weights.
 * <p>
 * Entry points: {@link dev.idefics4j.tensor.quant.Quantization} (the option: {@code parse("fp4"|"nf4"|"int8")},
 * {@code withDoubleQuant}) and {@link dev.idefics4j.tensor.quant.QuantizedLoading} ({@code load}, {@code save},
 * {@code stored}). Products run on the Vector API over all cores and unpack codes in registers; activations and
 * accumulation stay float32.
 */
package dev.idefics4j.tensor.quant;
