package io.tollgate.ratelimit;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.ConfigCompiler;
import io.tollgate.ratelimit.config.ConfigDirectory;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar ratelimit-service.jar} runs the service; {@code java -jar ratelimit-service.jar
 * validate <dir-or-file>} checks configuration files offline, prints every error and exits non-zero
 * on any.
 */
public final class Main {

  private static final String LEAK_DETECTION_LEVEL =
      "io.grpc.netty.shaded.io.netty.leakDetection.level";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && "validate".equals(args[0])) {
      if (args.length != 2) {
        System.err.println("usage: java -jar ratelimit-service.jar validate <dir-or-file>");
        System.exit(2);
      }
      System.exit(validate(Path.of(args[1]), System.getenv(), System.out, System.err));
    }
    if (args.length > 0) {
      System.err.println(
          "usage: java -jar ratelimit-service.jar [validate <dir-or-file>]\n"
              + "settings come from environment variables; see ratelimit-service/README.md");
      System.exit(2);
    }
    Settings settings;
    try {
      settings = Settings.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    configureLogging(settings.logLevel());
    disableLeakDetectionUnlessAsked();
    RateLimitApplication app = RateLimitApplication.start(settings, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
  }

  /**
   * Validates every file under {@code path} alone, then all of them together (a domain defined
   * twice is only an error across files), and returns the exit code.
   */
  static int validate(Path path, Map<String, String> env, PrintStream out, PrintStream err) {
    if (!Files.exists(path)) {
      err.println(path + ": no such file or directory");
      return 2;
    }
    boolean merge = "true".equalsIgnoreCase(env.getOrDefault("MERGE_DOMAIN_CONFIG", "false"));
    boolean ignoreDots =
        "true".equalsIgnoreCase(env.getOrDefault("RUNTIME_IGNOREDOTFILES", "false"));
    ReferenceYamlReader reader = new ReferenceYamlReader();
    ConfigCompiler compiler = new ConfigCompiler(merge);
    List<ConfigDirectory.ConfigFile> files = new ConfigDirectory(path, ignoreDots).files();
    List<ConfigDocument> valid = new ArrayList<>();
    int errors = 0;
    for (ConfigDirectory.ConfigFile f : files) {
      try {
        ConfigDocument doc = f.parse(reader);
        doc.warnings().forEach(err::println);
        compiler.compile(List.of(doc));
        valid.add(doc);
      } catch (ConfigException e) {
        err.println(e.getMessage());
        errors++;
      }
    }
    if (errors == 0) {
      try {
        CompiledConfig all = compiler.compile(valid);
        out.printf(
            Locale.ROOT,
            "OK: %d file(s), %d domain(s): %s%n",
            files.size(),
            all.domains().size(),
            String.join(", ", all.domains().keySet().stream().sorted().toList()));
        return 0;
      } catch (ConfigException e) {
        err.println(e.getMessage());
        errors++;
      }
    }
    err.printf(Locale.ROOT, "%d error(s) in %d file(s)%n", errors, files.size());
    return 1;
  }

  /**
   * Netty's leak detector records a stack trace for every buffer it samples, and the gRPC server
   * allocates several buffers per call: on the decision path that costs more CPU than the decision
   * itself. It stays off unless the operator sets its (shaded) system property.
   */
  private static void disableLeakDetectionUnlessAsked() {
    if (System.getProperty(LEAK_DETECTION_LEVEL) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /** slf4j-simple reads its settings once, from system properties, before the first logger. */
  private static void configureLogging(String level) {
    String simple =
        switch (level.toLowerCase(Locale.ROOT)) {
          case "trace" -> "trace";
          case "debug" -> "debug";
          case "info" -> "info";
          case "error", "fatal", "panic" -> "error";
          default -> "warn";
        };
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", simple);
    System.setProperty(
        "org.slf4j.simpleLogger.log.io.tollgate", simple.equals("warn") ? "info" : simple);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
  }
}
