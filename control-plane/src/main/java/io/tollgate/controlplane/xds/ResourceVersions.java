package io.tollgate.controlplane.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Content-derived versions: equal resources give equal versions, on every replica and across
 * restarts, so an unchanged snapshot is never re-pushed and replicas agree on what is current.
 */
final class ResourceVersions {

  private static final int VERSION_BYTES = 8;

  private ResourceVersions() {}

  /** A short hex hash of the resources, in order. */
  static String of(List<? extends Message> resources) {
    MessageDigest digest = sha256();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      for (Message resource : resources) {
        bytes.reset();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.useDeterministicSerialization();
        out.writeMessageNoTag(resource);
        out.flush();
        digest.update(bytes.toByteArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, VERSION_BYTES);
  }

  /** A version standing for several versions (e.g. one per type). */
  static String combine(List<String> versions) {
    MessageDigest digest = sha256();
    versions.forEach(v -> digest.update((v + "\n").getBytes(StandardCharsets.UTF_8)));
    return HexFormat.of().formatHex(digest.digest(), 0, VERSION_BYTES);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }
}
