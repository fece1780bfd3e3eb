package io.lesionsearch.datasets;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Random;

/**
 * Dermoscopy-like pictures whose look depends on the diagnosis, loosely after the textbook cues:
 * naevi small, round and evenly brown with a faint network; melanomas large, asymmetric, with
 * irregular borders and black, blue-grey and red-brown areas; keratoses tan with fissures and
 * milia-like dots; basal cell carcinomas pink with branching vessels and blue-grey nests; actinic
 * keratoses red, ill-defined and scaly; dermatofibromas small with a white centre; vascular lesions
 * red-purple lacunae. Not medicine, just enough for the classes to differ visually, so a similarity
 * search over them has structure to find.
 *
 * <p>The lesion seed fixes the lesion (shape, colours, texture); the image seed the shot of it
 * (rotation, position, zoom, exposure, sensor noise), as several photos of one lesion differ.
 */
public final class SyntheticDermoscopy {

  private SyntheticDermoscopy() {}

  private enum Texture {
    NETWORK,
    VARIEGATED,
    FISSURES,
    VESSELS,
    SCALES,
    WHITE_CENTRE,
    LACUNAE
  }

  /**
   * Base colour, radius range (fraction of the short side), border irregularity, edge softness,
   * texture.
   */
  private record Look(
      int r,
      int g,
      int b,
      double minRadius,
      double maxRadius,
      double irregularity,
      double elongation,
      int edgeSteps,
      Texture texture,
      double noise) {}

  private static Look look(Diagnosis dx) {
    return switch (dx) {
      case NV -> new Look(135, 88, 60, 0.12, 0.22, 0.04, 1.1, 3, Texture.NETWORK, 3);
      case MEL -> new Look(75, 48, 38, 0.22, 0.34, 0.14, 1.4, 4, Texture.VARIEGATED, 4);
      case BKL -> new Look(168, 124, 84, 0.16, 0.27, 0.08, 1.2, 2, Texture.FISSURES, 4);
      case BCC -> new Look(214, 152, 150, 0.13, 0.22, 0.09, 1.2, 5, Texture.VESSELS, 3);
      case AKIEC -> new Look(198, 104, 96, 0.16, 0.28, 0.15, 1.3, 7, Texture.SCALES, 6);
      case DF -> new Look(160, 108, 80, 0.08, 0.14, 0.03, 1.1, 5, Texture.WHITE_CENTRE, 3);
      case VASC -> new Look(150, 36, 68, 0.08, 0.16, 0.05, 1.15, 1, Texture.LACUNAE, 3);
    };
  }

  public static byte[] jpeg(
      Diagnosis dx, long lesionSeed, long imageSeed, int width, int height, float quality) {
    return SyntheticLesionImages.encodeJpeg(
        render(dx, lesionSeed, imageSeed, width, height), quality);
  }

  // The lesion's seed takes the diagnosis's ordinal as it always has: datasets/sample and the
  // tests' expected images were drawn with it, so reordering Diagnosis would change them.
  @SuppressWarnings("EnumOrdinal")
  public static BufferedImage render(
      Diagnosis dx, long lesionSeed, long imageSeed, int width, int height) {
    Look look = look(dx);
    Random lesion = new Random(lesionSeed * 31 + dx.ordinal());
    Random shot = new Random(imageSeed);
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);

    Color skin =
        new Color(205 + lesion.nextInt(30), 150 + lesion.nextInt(30), 120 + lesion.nextInt(30));
    g.setPaint(new GradientPaint(0, 0, skin, width, height, shade(skin, 0.88)));
    g.fillRect(0, 0, width, height);

    int shortSide = Math.min(width, height);
    double radius =
        shortSide * (look.minRadius + (look.maxRadius - look.minRadius) * lesion.nextDouble());
    Shape outline =
        outline(lesion, radius, look.irregularity, 1 + (look.elongation - 1) * lesion.nextDouble());
    Color base = jitter(lesion, new Color(look.r, look.g, look.b), 12);
    long textureSeed = lesion.nextLong();

    AffineTransform saved = g.getTransform();
    g.translate(
        width * (0.42 + 0.16 * shot.nextDouble()), height * (0.42 + 0.16 * shot.nextDouble()));
    g.rotate(2 * Math.PI * shot.nextDouble());
    double zoom = 0.9 + 0.2 * shot.nextDouble();
    g.scale(zoom, zoom);
    paintBody(g, outline, base, skin, look.edgeSteps);
    g.setClip(outline);
    paintTexture(g, look.texture, new Random(textureSeed), radius, base);
    g.setClip(null);
    g.setTransform(saved);
    if (shot.nextDouble() < 0.4) {
      vignette(g, width, height);
    }
    g.dispose();
    expose(img, shot, 0.92 + 0.16 * shot.nextDouble(), look.noise);
    return img;
  }

  /**
   * A closed outline around the origin: a circle bent by a few random harmonics, then stretched.
   */
  private static Shape outline(Random rnd, double radius, double irregularity, double elongation) {
    int harmonics = 6;
    double[] amp = new double[harmonics];
    double[] phase = new double[harmonics];
    for (int k = 0; k < harmonics; k++) {
      amp[k] = irregularity * rnd.nextDouble() / (k < 2 ? 1 : 0.35 * k);
      phase[k] = 2 * Math.PI * rnd.nextDouble();
    }
    Path2D.Double path = new Path2D.Double();
    int points = 96;
    for (int i = 0; i < points; i++) {
      double t = 2 * Math.PI * i / points;
      double r = 1;
      for (int k = 0; k < harmonics; k++) {
        r += amp[k] * Math.cos((k + 2) * t + phase[k]);
      }
      r *= radius * (1 + irregularity * 0.3 * (rnd.nextDouble() - 0.5));
      double x = r * Math.cos(t) * elongation;
      double y = r * Math.sin(t) / Math.sqrt(elongation);
      if (i == 0) {
        path.moveTo(x, y);
      } else {
        path.lineTo(x, y);
      }
    }
    path.closePath();
    return path;
  }

  /**
   * Concentric shrinking copies from skin-blended to full colour: a soft edge when there are many.
   */
  private static void paintBody(
      Graphics2D g, Shape outline, Color base, Color skin, int edgeSteps) {
    AffineTransform t = g.getTransform();
    for (int i = 0; i < edgeSteps; i++) {
      double f = (i + 1.0) / edgeSteps;
      double scale = 1 - 0.25 * i / edgeSteps;
      g.setTransform(t);
      g.scale(scale, scale);
      g.setColor(blend(skin, base, 0.35 + 0.65 * f));
      g.fill(outline);
    }
    g.setTransform(t);
  }

  private static void paintTexture(
      Graphics2D g, Texture texture, Random rnd, double radius, Color base) {
    switch (texture) {
      case NETWORK -> {
        g.setStroke(new BasicStroke((float) (radius / 40)));
        g.setColor(shade(base, 0.72));
        double step = radius / 5;
        for (double x = -radius; x <= radius; x += step) {
          g.draw(wavy(rnd, x, -radius, x, radius, step * 0.3));
          g.draw(wavy(rnd, -radius, x, radius, x, step * 0.3));
        }
      }
      case VARIEGATED -> {
        Color[] parts = {
          new Color(25, 18, 20),
          new Color(95, 108, 138),
          new Color(120, 55, 45),
          new Color(160, 130, 120)
        };
        for (int i = 0; i < 9; i++) {
          g.setComposite(
              AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.55f + 0.35f * rnd.nextFloat()));
          g.setColor(parts[i % parts.length]);
          double r = radius * (0.15 + 0.3 * rnd.nextDouble());
          g.fill(outlineAt(rnd, radius * 0.7, r));
        }
        g.setComposite(AlphaComposite.SrcOver);
        dots(g, rnd, radius, new Color(20, 15, 15), 40, radius / 30);
      }
      case FISSURES -> {
        g.setStroke(new BasicStroke((float) (radius / 35)));
        g.setColor(shade(base, 0.6));
        for (int i = 0; i < 14; i++) {
          double x = (rnd.nextDouble() - 0.5) * 1.6 * radius;
          double y = (rnd.nextDouble() - 0.5) * 1.6 * radius;
          double a = rnd.nextDouble() * Math.PI;
          double len = radius * (0.3 + 0.4 * rnd.nextDouble());
          g.draw(wavy(rnd, x, y, x + len * Math.cos(a), y + len * Math.sin(a), radius / 12));
        }
        dots(g, rnd, radius, new Color(245, 238, 215), 25, radius / 28);
      }
      case VESSELS -> {
        for (int i = 0; i < 4; i++) {
          g.setColor(new Color(105, 112, 140));
          g.fill(outlineAt(rnd, radius * 0.6, radius * (0.1 + 0.1 * rnd.nextDouble())));
        }
        g.setColor(new Color(178, 30, 40));
        for (int i = 0; i < 5; i++) {
          double a = 2 * Math.PI * rnd.nextDouble();
          branch(
              g,
              rnd,
              radius * 0.8 * Math.cos(a),
              radius * 0.8 * Math.sin(a),
              a + Math.PI,
              radius * 0.35,
              radius / 35,
              4);
        }
      }
      case SCALES -> {
        for (int i = 0; i < 60; i++) {
          g.setComposite(
              AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.5f + 0.4f * rnd.nextFloat()));
          g.setColor(new Color(240, 228, 205));
          g.fill(outlineAt(rnd, radius, radius * (0.03 + 0.07 * rnd.nextDouble())));
        }
        g.setComposite(AlphaComposite.SrcOver);
      }
      case WHITE_CENTRE -> {
        g.setStroke(new BasicStroke((float) (radius / 25)));
        g.setColor(shade(base, 0.75));
        for (int i = 0; i < 6; i++) {
          double r = radius * (0.6 + 0.07 * i);
          g.draw(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
        }
        g.setColor(new Color(238, 226, 214));
        g.fill(outlineAt(rnd, radius * 0.1, radius * 0.45));
      }
      case LACUNAE -> {
        Color[] reds = {new Color(120, 20, 45), new Color(170, 35, 60), new Color(95, 25, 70)};
        g.setStroke(new BasicStroke((float) (radius / 45)));
        for (int i = 0; i < 26; i++) {
          double r = radius * (0.08 + 0.14 * rnd.nextDouble());
          double x = (rnd.nextDouble() - 0.5) * 1.8 * radius;
          double y = (rnd.nextDouble() - 0.5) * 1.8 * radius;
          Ellipse2D.Double lake =
              new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r * (0.7 + 0.3 * rnd.nextDouble()));
          g.setColor(reds[i % reds.length]);
          g.fill(lake);
          g.setColor(new Color(70, 15, 35));
          g.draw(lake);
        }
      }
    }
  }

  private static Shape outlineAt(Random rnd, double spread, double radius) {
    double x = (rnd.nextDouble() - 0.5) * 2 * spread;
    double y = (rnd.nextDouble() - 0.5) * 2 * spread;
    Shape s = outline(rnd, radius, 0.2, 1 + 0.5 * rnd.nextDouble());
    return AffineTransform.getTranslateInstance(x, y).createTransformedShape(s);
  }

  private static Shape wavy(Random rnd, double x0, double y0, double x1, double y1, double wobble) {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(x0, y0);
    int parts = 6;
    for (int i = 1; i <= parts; i++) {
      double f = (double) i / parts;
      p.lineTo(
          x0 + (x1 - x0) * f + (rnd.nextDouble() - 0.5) * wobble,
          y0 + (y1 - y0) * f + (rnd.nextDouble() - 0.5) * wobble);
    }
    return p;
  }

  private static void dots(
      Graphics2D g, Random rnd, double spread, Color c, int count, double size) {
    g.setColor(c);
    for (int i = 0; i < count; i++) {
      double x = (rnd.nextDouble() - 0.5) * 1.8 * spread;
      double y = (rnd.nextDouble() - 0.5) * 1.8 * spread;
      double r = size * (0.6 + rnd.nextDouble());
      g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
    }
  }

  /**
   * Arborising vessel: a tapering line that forks, as telangiectasias in basal cell carcinomas do.
   */
  private static void branch(
      Graphics2D g,
      Random rnd,
      double x,
      double y,
      double angle,
      double length,
      double width,
      int depth) {
    if (depth == 0 || width < 0.5) {
      return;
    }
    double a = angle + (rnd.nextDouble() - 0.5) * 0.8;
    double x1 = x + length * Math.cos(a);
    double y1 = y + length * Math.sin(a);
    g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(new java.awt.geom.Line2D.Double(x, y, x1, y1));
    branch(g, rnd, x1, y1, a - 0.5, length * 0.7, width * 0.7, depth - 1);
    branch(g, rnd, x1, y1, a + 0.5, length * 0.7, width * 0.7, depth - 1);
  }

  /** The dark corners a round dermoscope lens leaves on a rectangular sensor. */
  private static void vignette(Graphics2D g, int width, int height) {
    Path2D.Double corners = new Path2D.Double(Path2D.WIND_EVEN_ODD);
    corners.append(new java.awt.Rectangle(0, 0, width, height), false);
    double r = Math.hypot(width, height) * 0.41;
    corners.append(new Ellipse2D.Double(width / 2.0 - r, height / 2.0 - r, 2 * r, 2 * r), false);
    g.setColor(new Color(18, 14, 12));
    g.fill(corners);
  }

  /** Exposure and sensor noise, per shot. */
  private static void expose(BufferedImage img, Random rnd, double gain, double noise) {
    byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < pixels.length; i++) {
      int v = (int) ((pixels[i] & 0xFF) * gain + rnd.nextGaussian() * noise);
      pixels[i] = (byte) Math.max(0, Math.min(255, v));
    }
  }

  private static Color jitter(Random rnd, Color c, int by) {
    return new Color(
        clamp(c.getRed() + rnd.nextInt(2 * by + 1) - by),
        clamp(c.getGreen() + rnd.nextInt(2 * by + 1) - by),
        clamp(c.getBlue() + rnd.nextInt(2 * by + 1) - by));
  }

  private static Color shade(Color c, double f) {
    return new Color(
        clamp((int) (c.getRed() * f)),
        clamp((int) (c.getGreen() * f)),
        clamp((int) (c.getBlue() * f)));
  }

  private static Color blend(Color a, Color b, double f) {
    return new Color(
        clamp((int) (a.getRed() + (b.getRed() - a.getRed()) * f)),
        clamp((int) (a.getGreen() + (b.getGreen() - a.getGreen()) * f)),
        clamp((int) (a.getBlue() + (b.getBlue() - a.getBlue()) * f)));
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
