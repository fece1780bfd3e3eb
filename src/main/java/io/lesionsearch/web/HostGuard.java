package io.lesionsearch.web;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses requests not meant for this server. A Host it is not served as means DNS rebinding:
 * another site's name re-pointed at this address, whose pages would then read this API as their own
 * origin (421). A POST whose Origin is another site's is a cross-site request forgery (403). Names
 * are compared as text and never looked up, so the check costs no DNS and cannot be fooled through
 * it.
 */
final class HostGuard {

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

  /** Host names (lower case, no port) and IP literals (canonical) the page is served as. */
  private final Set<String> hosts = new HashSet<>();

  /**
   * Named with --allowed-host: an Origin there is trusted at any port or scheme (a reverse
   * proxy's).
   */
  private final Set<String> named = new HashSet<>();

  /** Bound to every interface: any IP literal reaches it, and a literal cannot be rebound. */
  private final boolean anyAddress;

  HostGuard(String bind, List<String> allowedHosts) {
    String b = bind.trim().toLowerCase(Locale.ROOT);
    InetAddress bound = literal(b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b);
    anyAddress = bound != null && bound.isAnyLocalAddress();
    if (anyAddress || b.equals("localhost") || (bound != null && bound.isLoopbackAddress())) {
      LOOPBACK_NAMES.forEach(h -> hosts.add(canonical(h)));
    }
    if (!anyAddress) {
      hosts.add(bound != null ? bound.getHostAddress() : b);
    }
    for (String h : allowedHosts) {
      hosts.add(canonical(h));
      named.add(canonical(h));
    }
  }

  void check(String method, String hostHeader, String origin) throws WebError {
    Authority host = hostHeader == null ? null : Authority.parse(hostHeader);
    // No Host at all comes from no browser (HTTP/1.0 tools), so it cannot be a rebinding.
    if (hostHeader != null && (host == null || !allowed(host.host))) {
      throw new WebError(
          421,
          "HOST_NOT_ALLOWED",
          "This server does not serve the address \""
              + hostHeader
              + "\". Open the page by an address it is configured for (ask the administrator to add the name with --allowed-host).");
    }
    if (origin != null && !safe(method) && !originAllowed(origin, host)) {
      throw new WebError(
          403,
          "ORIGIN_NOT_ALLOWED",
          "Searches are accepted only from this server's own page, not from "
              + origin
              + ". Open the page from this server and search there.");
    }
  }

  private static boolean safe(String method) {
    return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
  }

  private boolean allowed(String host) {
    String h = canonical(host);
    return hosts.contains(h) || (anyAddress && literal(host) != null);
  }

  private boolean originAllowed(String origin, Authority host) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (Exception e) {
      return false; // "null" (a sandboxed or privacy-redirected page) or garbage
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
      return false;
    }
    String originHost = canonical(uri.getHost());
    if (named.contains(originHost)) {
      return true;
    }
    if (host == null || !originHost.equals(canonical(host.host))) {
      return false;
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
    // A Host without a port was reached on its scheme's default one, which the Origin shows as
    // none.
    return host.port < 0 ? originPort == defaultPort : originPort == host.port;
  }

  /** IP literals compare by address ([::1] and [0:0::1] are one); names by lower-case text. */
  private static String canonical(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    InetAddress address = literal(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
    return address != null ? address.getHostAddress() : h;
  }

  /** The address a literal names, or null for a name; never a DNS look-up. */
  private static InetAddress literal(String host) {
    boolean v6 = host.length() > 2 && host.startsWith("[") && host.endsWith("]");
    if (!v6 && !IPV4.matcher(host).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(
          host); // a valid literal is parsed, a bracketed non-literal refused, unresolved
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** A Host header's parts: name or literal (IPv6 in brackets) and port, -1 when none is given. */
  private record Authority(String host, int port) {

    static Authority parse(String header) {
      String h = header.trim();
      int colon = h.lastIndexOf(':');
      String name = h;
      int port = -1;
      if (colon > h.lastIndexOf(']')) {
        name = h.substring(0, colon);
        try {
          port = Integer.parseInt(h.substring(colon + 1));
        } catch (NumberFormatException e) {
          return null;
        }
        if (port < 0 || port > 65_535) {
          return null;
        }
      }
      return name.isEmpty() ? null : new Authority(name, port);
    }
  }
}
