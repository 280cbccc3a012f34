package dev.idefics4j.image;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.util.Arrays;

/**
 * Where a GIF's first frame lies. ImageIO returns the frame alone; Pillow 9.4 returns the logical screen (grown to
 * hold the frame if needed), filled outside the frame with the frame's transparent index, or else index 0. Read
 * from the metadata, so the pixel limit can be checked on the real size before decoding.
 */
record GifCanvas(int width, int height, int left, int top, int fillIndex) {
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
    private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

    static GifCanvas of(ImageReader reader) throws IOException {
        int frameWidth = reader.getWidth(0);
        int frameHeight = reader.getHeight(0);
        IIOMetadata image = reader.getImageMetadata(0);
        Node descriptor = image == null ? null : child(image.getAsTree(IMAGE_FORMAT), "ImageDescriptor");
        int left = intAttribute(descriptor, "imageLeftPosition", 0);
        int top = intAttribute(descriptor, "imageTopPosition", 0);
        Node control = image == null ? null : child(image.getAsTree(IMAGE_FORMAT), "GraphicControlExtension");
        boolean transparent = "TRUE".equalsIgnoreCase(attribute(control, "transparentColorFlag"));
        int fillIndex = transparent ? intAttribute(control, "transparentColorIndex", 0) : 0;
        IIOMetadata stream = reader.getStreamMetadata();
        Node screen = stream == null ? null : child(stream.getAsTree(STREAM_FORMAT), "LogicalScreenDescriptor");
        int width = Math.max(intAttribute(screen, "logicalScreenWidth", 0), left + frameWidth);
        int height = Math.max(intAttribute(screen, "logicalScreenHeight", 0), top + frameHeight);
        return new GifCanvas(width, height, left, top, fillIndex);
    }

    /** The frame drawn on the canvas; the frame itself when it already covers it. */
    BufferedImage place(BufferedImage frame) {
        boolean covers = left == 0 && top == 0 && frame.getWidth() == width && frame.getHeight() == height;
        if (covers || !(frame.getColorModel() instanceof IndexColorModel palette)) {
            return frame;
        }
        WritableRaster raster = palette.createCompatibleWritableRaster(width, height);
        int[] row = new int[width];
        Arrays.fill(row, Math.min(fillIndex, palette.getMapSize() - 1));
        for (int y = 0; y < height; y++) {
            raster.setSamples(0, y, width, 1, 0, row);
        }
        raster.setRect(left, top, frame.getRaster());
        return new BufferedImage(palette, raster, false, null);
    }

    private static Node child(Node parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (name.equals(n.getNodeName())) {
                return n;
            }
        }
        return null;
    }

    private static String attribute(Node node, String name) {
        NamedNodeMap attributes = node == null ? null : node.getAttributes();
        Node value = attributes == null ? null : attributes.getNamedItem(name);
        return value == null ? null : value.getNodeValue();
    }

    private static int intAttribute(Node node, String name, int absent) {
        String value = attribute(node, name);
        return value == null ? absent : Integer.parseInt(value);
    }
}
