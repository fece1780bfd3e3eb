package io.lesionsearch.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * precision@k per diagnosis and overall, with the 95% intervals as bars and the micro chance level
 * as a dotted line, drawn with Java2D into a PNG (no display needed).
 */
public final class PrecisionPlot {

  static final int WIDTH = 960;
  static final int HEIGHT = 600;
  private static final int LEFT = 70;
  private static final int RIGHT = 230;
  private static final int TOP = 56;
  private static final int BOTTOM = 60;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x17becf),
    new Color(0xbcbd22),
  };

  private PrecisionPlot() {}

  public static void write(EvaluationReport r, String title, Path png) throws IOException {
    if (!ImageIO.write(draw(r, title), "png", png.toFile())) {
      throw new IOException("no PNG writer in this JVM");
    }
  }

  static BufferedImage draw(EvaluationReport r, String title) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      axes(g, r, title);
      List<Series> series = new ArrayList<>();
      int c = 0;
      for (var e : r.perClass().entrySet()) {
        series.add(
            new Series(
                e.getKey() + " (" + e.getValue().queries() + ")",
                e.getValue(),
                PALETTE[c++ % PALETTE.length],
                new BasicStroke(1.6f)));
      }
      series.add(
          new Series(
              "macro",
              r.macro(),
              Color.DARK_GRAY,
              new BasicStroke(
                  2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 5}, 0)));
      series.add(
          new Series("micro (" + r.queries() + ")", r.micro(), Color.BLACK, new BasicStroke(3f)));
      for (int s = 0; s < series.size(); s++) {
        // Spread the bars of one k a little, so that they do not hide each other.
        double shift = (s - (series.size() - 1) / 2.0) * 5;
        draw(g, r, series.get(s), shift);
      }
      chance(g, r.micro().chance());
      legend(g, series);
    } finally {
      g.dispose();
    }
    return image;
  }

  private record Series(String name, Figures figures, Color color, Stroke stroke) {}

  private static double x(EvaluationReport r, int index) {
    int n = r.ks().size();
    double plot = WIDTH - LEFT - RIGHT;
    return LEFT + plot * (n == 1 ? 0.5 : 0.06 + 0.88 * index / (n - 1));
  }

  private static double y(double value) {
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value);
  }

  private static void axes(Graphics2D g, EvaluationReport r, String title) {
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics m = g.getFontMetrics();
    for (int t = 0; t <= 10; t++) {
      double v = t / 10.0;
      int yy = (int) Math.round(y(v));
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(LEFT, yy, WIDTH - RIGHT, yy);
      g.setColor(Color.BLACK);
      String label = String.format(Locale.ROOT, "%.1f", v);
      g.drawString(label, LEFT - 8 - m.stringWidth(label), yy + 4);
    }
    g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    for (int i = 0; i < r.ks().size(); i++) {
      String label = Integer.toString(r.ks().get(i));
      int xx = (int) Math.round(x(r, i));
      g.drawLine(xx, HEIGHT - BOTTOM, xx, HEIGHT - BOTTOM + 5);
      g.drawString(label, xx - m.stringWidth(label) / 2, HEIGHT - BOTTOM + 20);
    }
    String xLabel = "k (nearest images of other lesions)";
    g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT - m.stringWidth(xLabel)) / 2, HEIGHT - 18);
    Graphics2D turned = (Graphics2D) g.create();
    turned.rotate(-Math.PI / 2);
    turned.drawString("precision@k (same dx)", -(TOP + (HEIGHT - TOP - BOTTOM) / 2 + 60), 20);
    turned.dispose();
  }

  private static void draw(Graphics2D g, EvaluationReport r, Series s, double shift) {
    g.setColor(s.color);
    int previousX = -1;
    int previousY = -1;
    for (int i = 0; i < r.ks().size(); i++) {
      Interval v = s.figures.precisionAt(r.ks().get(i));
      int xx = (int) Math.round(x(r, i) + shift);
      int yy = (int) Math.round(y(v.value()));
      g.setStroke(s.stroke);
      if (previousX >= 0) {
        g.drawLine(previousX, previousY, xx, yy);
      }
      g.setStroke(new BasicStroke(1.2f));
      if (v.hasBounds()) {
        int lo = (int) Math.round(y(v.low()));
        int hi = (int) Math.round(y(v.high()));
        g.drawLine(xx, lo, xx, hi);
        g.drawLine(xx - 3, lo, xx + 3, lo);
        g.drawLine(xx - 3, hi, xx + 3, hi);
      }
      g.fillOval(xx - 3, yy - 3, 7, 7);
      previousX = xx;
      previousY = yy;
    }
  }

  private static void chance(Graphics2D g, double chance) {
    g.setColor(Color.GRAY);
    g.setStroke(
        new BasicStroke(
            1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {2, 4}, 0));
    int yy = (int) Math.round(y(chance));
    g.drawLine(LEFT, yy, WIDTH - RIGHT, yy);
  }

  private static void legend(Graphics2D g, List<Series> series) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int xx = WIDTH - RIGHT + 24;
    int yy = TOP + 10;
    for (Series s : series) {
      g.setColor(s.color);
      g.setStroke(s.stroke);
      g.drawLine(xx, yy - 4, xx + 28, yy - 4);
      g.setColor(Color.BLACK);
      g.drawString(s.name, xx + 36, yy);
      yy += 20;
    }
    g.setColor(Color.GRAY);
    g.setStroke(
        new BasicStroke(
            1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {2, 4}, 0));
    g.drawLine(xx, yy - 4, xx + 28, yy - 4);
    g.setColor(Color.BLACK);
    g.drawString("chance (micro)", xx + 36, yy);
    g.drawString("bars: 95% interval", xx, yy + 28);
    g.drawString("(queries) per line", xx, yy + 46);
  }
}
