package io.tollgate.ratelimit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The rate-limit service's layering, checked on the compiled classes: the wiring ({@code Main},
 * {@code RateLimitApplication}) on top, the features ({@code config}, {@code limiter}, {@code
 * store}, {@code server}, {@code stats}) below it, their typed settings ({@code settings}) at the
 * bottom; no cycle between any two packages.
 */
@AnalyzeClasses(
    packages = "io.tollgate.ratelimit",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "io.tollgate.ratelimit";

  private static final SliceAssignment PACKAGES =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String pkg = javaClass.getPackageName();
          if (pkg.equals(ROOT)) {
            return SliceIdentifier.of("(wiring)");
          }
          return pkg.startsWith(ROOT + ".")
              ? SliceIdentifier.of(pkg.substring(ROOT.length() + 1))
              : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
          return "packages of the rate-limit service";
        }
      };

  @ArchTest
  static final ArchRule noPackageCycles = slices().assignedFrom(PACKAGES).should().beFreeOfCycles();

  /** Only the wiring knows every part; no feature reaches up into it. */
  @ArchTest
  static final ArchRule featuresDoNotReachTheWiring =
      noClasses()
          .that()
          .resideInAPackage(ROOT + ".(*)..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ROOT);

  /** The settings are read by everyone and read no one. */
  @ArchTest
  static final ArchRule settingsAtTheBottom =
      noClasses()
          .that()
          .resideInAPackage(ROOT + ".settings")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT,
              ROOT + ".config..",
              ROOT + ".limiter..",
              ROOT + ".store..",
              ROOT + ".server..",
              ROOT + ".stats..");
}
