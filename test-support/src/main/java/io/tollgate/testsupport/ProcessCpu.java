package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, read from {@code /proc/<pid>/stat} (utime + stime, fields 14 and
 * 15), for benchmarks that report CPU-microseconds per request: stable on a noisy machine where
 * wall-clock throughput is not.
 */
public final class ProcessCpu {

  /** Clock ticks per second; 100 on every Linux this project runs on. */
  private static final long TICKS_PER_SECOND = 100;

  private ProcessCpu() {}

  public static long cpuMicros(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; the fields we need follow its closing
      // parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1_000_000 / TICKS_PER_SECOND;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CPU time of pid " + pid, e);
    }
  }
}
