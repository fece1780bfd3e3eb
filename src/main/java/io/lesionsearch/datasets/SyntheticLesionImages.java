package io.lesionsearch.datasets;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Dermoscopy-like JPEGs (skin-toned background, an irregular darker lesion, sensor noise) made from
 * a seed, so benchmarks and tests decode realistic frequency content without shipping image files.
 */
public final class SyntheticLesionImages {

  private SyntheticLesionImages() {}

  public static byte[] jpeg(long seed, int width, int height, float quality) {
    return encodeJpeg(render(seed, width, height), quality);
  }

  public static BufferedImage render(long seed, int width, int height) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    Color skin = new Color(200 + rnd.nextInt(40), 140 + rnd.nextInt(40), 110 + rnd.nextInt(40));
    g.setPaint(new GradientPaint(0, 0, skin, width, height, skin.darker()));
    g.fillRect(0, 0, width, height);

    double cx = width * (0.35 + 0.3 * rnd.nextDouble());
    double cy = height * (0.35 + 0.3 * rnd.nextDouble());
    double radius = Math.min(width, height) * (0.15 + 0.2 * rnd.nextDouble());
    Path2D.Double blob = new Path2D.Double();
    int points = 24;
    for (int i = 0; i < points; i++) {
      double angle = 2 * Math.PI * i / points;
      double r = radius * (0.75 + 0.5 * rnd.nextDouble());
      double x = cx + r * Math.cos(angle);
      double y = cy + r * Math.sin(angle);
      if (i == 0) {
        blob.moveTo(x, y);
      } else {
        blob.lineTo(x, y);
      }
    }
    blob.closePath();
    g.setColor(new Color(60 + rnd.nextInt(80), 30 + rnd.nextInt(50), 20 + rnd.nextInt(40)));
    g.fill(blob);
    g.dispose();

    byte[] pixels = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < pixels.length; i++) {
      int v = (pixels[i] & 0xFF) + (int) (rnd.nextGaussian() * 6);
      pixels[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return img;
  }

  public static byte[] encodeJpeg(BufferedImage img, float quality) {
    return io.lesionsearch.image.JpegEncoder.encode(img, quality);
  }
}
