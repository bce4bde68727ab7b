package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL server from the Debian package: {@code initdb} into a temporary directory,
 * {@code postgres} on a free port of 127.0.0.1 (its Unix socket in the same directory, trust
 * authentication, durability off for speed), one database created. PostgreSQL refuses to run as
 * root, so under root the server runs as the {@code postgres} user the package creates.
 */
public final class PostgresServer implements AutoCloseable {

  public static final String USER = "postgres";

  private final Path dir;
  private final int port;
  private final String database;
  private final ManagedProcess process;
  private final boolean root;

  private PostgresServer(
      Path dir, int port, String database, ManagedProcess process, boolean root) {
    this.dir = dir;
    this.root = root;
    this.port = port;
    this.database = database;
    this.process = process;
  }

  /** Starts a server with a database named {@code database} and waits until it accepts it. */
  public static PostgresServer start(String database) {
    Path dir = Scratch.create("postgres");
    Path data = dir.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      chownToPostgres(dir);
    }
    run(
        asServerUser(
            root,
            List.of(
                Binaries.postgres("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync")),
        dir);
    int port = FreePorts.next();
    ManagedProcess process =
        ManagedProcess.builder(
                "postgres",
                asServerUser(
                    root,
                    List.of(
                        Binaries.postgres("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-p",
                        Integer.toString(port),
                        "-k",
                        dir.toString(),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off")))
            .workDir(dir)
            .start();
    PostgresServer server = new PostgresServer(dir, port, database, process, root);
    try {
      process.awaitPort("127.0.0.1", port, Duration.ofSeconds(30));
      // The port opens before recovery ends; createdb retries until the server takes connections.
      process.await("createdb " + database, Duration.ofSeconds(30), server::createDatabase);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}; user {@link #USER}, no password. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String user() {
    return USER;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * A fast shutdown ({@code pg_ctl stop -m fast}: clients are disconnected), which SIGTERM, a
   * "smart" shutdown waiting for every client to leave, would not be.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      exec(
          asServerUser(
              root,
              List.of(
                  Binaries.postgres("pg_ctl").toString(),
                  "-D",
                  dir.resolve("data").toString(),
                  "stop",
                  "-m",
                  "fast",
                  "-w")),
          dir);
    }
    process.stop();
    Scratch.delete(dir);
  }

  private boolean createDatabase() {
    return exec(
                List.of(
                    Binaries.postgres("createdb").toString(),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port),
                    "-U",
                    USER,
                    database),
                dir)
            .code()
        == 0;
  }

  private static List<String> asServerUser(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void chownToPostgres(Path dir) {
    try {
      UserPrincipal owner =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
      Files.setOwner(dir, owner);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot hand " + dir + " to user " + USER + " (is the postgresql package installed?)", e);
    }
  }

  private static void run(List<String> command, Path dir) {
    Result result = exec(command, dir);
    if (result.code() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + result.code() + ":\n" + result.output());
    }
  }

  /** Runs a short command to its end (at most a minute); its exit code and output. */
  private static Result exec(List<String> command, Path dir) {
    try {
      Path out = Files.createTempFile("tollgate-pg-cmd", ".log");
      try {
        Process p =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private record Result(int code, String output) {}
}
