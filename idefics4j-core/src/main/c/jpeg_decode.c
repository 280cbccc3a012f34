/*
 * idefics4j's optional JPEG decoder: libjpeg-turbo (libjpeg.so.62, the library Pillow links) driven with Pillow 9.4's
 * settings, so that a JPEG decodes to Pillow's pixels bit for bit. Pillow (src/libImaging/JpegDecode.c, decode.c)
 * keeps libjpeg's defaults (islow DCT, fancy upsampling, block smoothing) and only picks the output colour space from
 * the number of components: 1 -> grey, 3 -> RGB (JCS_EXT_RGBX with libjpeg-turbo, one padding byte per pixel),
 * 4 -> CMYK, which Pillow then inverts ("CMYK;I", Adobe's convention) on the Java side.
 *
 * libjpeg reports errors through error_exit, which must not return: here it longjmps back to the entry point, which
 * returns a code and libjpeg's message. (A Java upcall could neither longjmp nor throw through libjpeg's frames.)
 * Warnings are ignored, as Pillow ignores them. The source suspends when the data runs out, as Pillow's does at the
 * end of a file, so a file cut short is reported as truncated wherever Pillow would report it, rather than decoded
 * with grey padding as libjpeg's memory source would.
 *
 * Built by Maven when gcc and libjpeg's headers are present (see idefics4j-core/pom.xml); loaded through
 * java.lang.foreign by dev.idefics4j.image.LibjpegDecoder. Each call owns its decoder: calls may run in parallel.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#define I4J_JPEG_OK 0
/* The data ended before the image did (Pillow: "image file is truncated"). */
#define I4J_JPEG_TRUNCATED 1
/* libjpeg refused the data; the message says why. */
#define I4J_JPEG_ERROR 2
/* The caller's buffer does not have the size the header implies. */
#define I4J_JPEG_BAD_BUFFER 3

/*
 * Scans past which a progressive file is refused: each scan walks every block of the image, so a small hostile file
 * of many empty scans could keep the decoder busy for minutes. Real encoders write about ten.
 */
#define MAX_SCANS 1000

int i4j_jpeg_abi_version(void) { return 1; }

/* The libjpeg-turbo version the library was compiled against, e.g. 2001005 for 2.1.5 (0 for another libjpeg). */
int i4j_jpeg_turbo_version(void) {
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}

struct failure {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
    size_t message_size;
};

static void fail(j_common_ptr cinfo) {
    struct failure *f = (struct failure *) cinfo->err;
    if (f->message_size > 0) {
        char text[JMSG_LENGTH_MAX];
        f->pub.format_message(cinfo, text);
        snprintf(f->message, f->message_size, "%s", text);
    }
    longjmp(f->jump, 1);
}

static void ignore_message(j_common_ptr cinfo) { (void) cinfo; }

static void limit_scans(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr) cinfo;
    if (d->input_scan_number > MAX_SCANS) {
        struct failure *f = (struct failure *) cinfo->err;
        if (f->message_size > 0) {
            snprintf(f->message, f->message_size, "more than %d scans (refused as a possible decoding bomb)",
                     MAX_SCANS);
        }
        longjmp(f->jump, 1);
    }
}

static void source_nothing(j_decompress_ptr cinfo) { (void) cinfo; }

/* The whole file is in the buffer: asking for more means it ended too soon. */
static boolean source_suspend(j_decompress_ptr cinfo) {
    (void) cinfo;
    return FALSE;
}

static void source_skip(j_decompress_ptr cinfo, long count) {
    struct jpeg_source_mgr *src = cinfo->src;
    if (count <= 0) {
        return;
    }
    size_t n = (size_t) count < src->bytes_in_buffer ? (size_t) count : src->bytes_in_buffer;
    src->next_input_byte += n;
    src->bytes_in_buffer -= n;
}

struct decoder {
    struct jpeg_decompress_struct cinfo;
    struct failure failure;
    struct jpeg_source_mgr source;
    struct jpeg_progress_mgr progress;
};

static void set_up(struct decoder *d, const uint8_t *data, size_t size, char *message, size_t message_size) {
    d->cinfo.err = jpeg_std_error(&d->failure.pub);
    d->failure.pub.error_exit = fail;
    d->failure.pub.output_message = ignore_message;
    d->failure.message = message;
    d->failure.message_size = message_size;
    if (message_size > 0) {
        message[0] = '\0';
    }
    jpeg_create_decompress(&d->cinfo);
    d->source.init_source = source_nothing;
    d->source.fill_input_buffer = source_suspend;
    d->source.skip_input_data = source_skip;
    d->source.resync_to_restart = jpeg_resync_to_restart;
    d->source.term_source = source_nothing;
    d->source.next_input_byte = data;
    d->source.bytes_in_buffer = size;
    d->cinfo.src = &d->source;
    d->progress.progress_monitor = limit_scans;
    d->cinfo.progress = &d->progress;
}

/* Bytes per output pixel for a file of `components` components, as Pillow asks libjpeg for them; 0 if none. */
int i4j_jpeg_output_channels(int components) {
    switch (components) {
        case 1: return 1;
#ifdef JCS_EXTENSIONS
        case 3: return 4;
#else
        case 3: return 3;
#endif
        case 4: return 4;
        default: return 0;
    }
}

/*
 * Reads the frame header of the first image into info: [0] width, [1] height, [2] components, [3] sample precision
 * in bits. Then, unless out is NULL, decodes the image into out (width * height * i4j_jpeg_output_channels(components)
 * bytes, row by row): grey, RGB (RGBX where libjpeg-turbo offers it, X undefined) or CMYK as libjpeg writes it
 * (Adobe-inverted files stay inverted). Returns one of the codes above; on an error, message holds libjpeg's text.
 */
int i4j_jpeg_decode(const uint8_t *data, size_t size, int32_t *info, uint8_t *out, size_t out_size, char *message,
                    size_t message_size) {
    struct decoder d;
    set_up(&d, data, size, message, message_size);
    if (setjmp(d.failure.jump)) {
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_ERROR;
    }
    /* jpeg_read_header as Pillow calls it: tables-only datastreams are skipped until an image header comes. */
    int status;
    do {
        status = jpeg_read_header(&d.cinfo, FALSE);
    } while (status == JPEG_HEADER_TABLES_ONLY);
    if (status == JPEG_SUSPENDED) {
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_TRUNCATED;
    }
    info[0] = (int32_t) d.cinfo.image_width;
    info[1] = (int32_t) d.cinfo.image_height;
    info[2] = d.cinfo.num_components;
    info[3] = d.cinfo.data_precision;
    if (out == NULL) {
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_OK;
    }
    int channels = i4j_jpeg_output_channels(d.cinfo.num_components);
    switch (d.cinfo.num_components) {
        case 1: d.cinfo.out_color_space = JCS_GRAYSCALE; break;
#ifdef JCS_EXTENSIONS
        case 3: d.cinfo.out_color_space = JCS_EXT_RGBX; break;
#else
        case 3: d.cinfo.out_color_space = JCS_RGB; break;
#endif
        case 4: d.cinfo.out_color_space = JCS_CMYK; break;
        default: break;
    }
    size_t row_bytes = (size_t) d.cinfo.image_width * (size_t) channels;
    if (channels == 0 || row_bytes * d.cinfo.image_height != out_size) {
        snprintf(message, message_size, "a %ux%u image of %d components does not fit %zu bytes",
                 d.cinfo.image_width, d.cinfo.image_height, d.cinfo.num_components, out_size);
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_BAD_BUFFER;
    }
    if (!jpeg_start_decompress(&d.cinfo)) {
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_TRUNCATED;
    }
    if ((size_t) d.cinfo.output_width * (size_t) d.cinfo.output_components != row_bytes
            || d.cinfo.output_height != d.cinfo.image_height) {
        snprintf(message, message_size, "libjpeg gives %ux%u x %d, expected %ux%u x %d", d.cinfo.output_width,
                 d.cinfo.output_height, d.cinfo.output_components, d.cinfo.image_width, d.cinfo.image_height,
                 channels);
        jpeg_destroy_decompress(&d.cinfo);
        return I4J_JPEG_BAD_BUFFER;
    }
    while (d.cinfo.output_scanline < d.cinfo.output_height) {
        JSAMPROW row = out + (size_t) d.cinfo.output_scanline * row_bytes;
        if (jpeg_read_scanlines(&d.cinfo, &row, 1) != 1) {
            jpeg_destroy_decompress(&d.cinfo);
            return I4J_JPEG_TRUNCATED;
        }
    }
    /* Pillow accepts a file whose rows are all there even when jpeg_finish_decompress runs out of data. */
    jpeg_finish_decompress(&d.cinfo);
    jpeg_destroy_decompress(&d.cinfo);
    return I4J_JPEG_OK;
}
