package io.tollgate.controlplane;

import static com.tngtech.archunit.base.DescribedPredicate.or;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Instant;

/**
 * The control plane's layering (docs/architecture.md, "Packages"), checked on the compiled classes.
 *
 * <p>Cycles are checked per package, not per top-level package: the rule model ({@code limits}) is
 * the bottom layer every part reads (the translator included), while its jobs ({@code limits.rest},
 * {@code limits.store}, ...) sit above the translator and the xDS server, so one top-level slice
 * "limits" would be both below and above {@code xds}. Every other top-level package is checked as
 * one slice as well.
 */
@AnalyzeClasses(
    packages = "io.tollgate.controlplane",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "io.tollgate.controlplane";

  private static final SliceAssignment FEATURES =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String pkg = javaClass.getPackageName();
          if (!pkg.startsWith(ROOT + ".")) {
            return SliceIdentifier.ignore();
          }
          String[] parts = pkg.substring(ROOT.length() + 1).split("\\.");
          return SliceIdentifier.of(
              (parts[0].equals("limits") || parts[0].equals("access") || parts[0].equals("routing"))
                      && parts.length > 1
                  ? parts[0] + "." + parts[1]
                  : parts[0]);
        }

        @Override
        public String getDescription() {
          return "top-level packages of the control plane, the rule model's jobs apart";
        }
      };

  @ArchTest
  static final ArchRule noPackageCycles =
      slices().matching(ROOT + ".(**)").should().beFreeOfCycles();

  /**
   * Top-level packages as slices ({@code xds} with its translator), each of the rule model's jobs a
   * slice of its own.
   */
  @ArchTest
  static final ArchRule noFeatureCycles = slices().assignedFrom(FEATURES).should().beFreeOfCycles();

  /** The rule model is the bottom layer: it reads no other part of the control plane. */
  @ArchTest
  static final ArchRule ruleModelStandsAlone =
      classes()
          .that()
          .resideInAPackage(ROOT + ".limits")
          .should()
          .onlyDependOnClassesThat(
              or(resideInAPackage(ROOT + ".limits"), resideOutsideOfPackage(ROOT + "..")));

  /**
   * The translator is pure: the config-file and rule models in, Envoy resources and the rate-limit
   * configuration out; no Spring, no database, no files, sockets or clock, and none of the parts
   * that store, serve or validate.
   */
  @ArchTest
  static final ArchRule translatorIsPure =
      classes()
          .that()
          .resideInAPackage(ROOT + ".xds.translate..")
          .should()
          .onlyDependOnClassesThat(
              or(
                  resideInAnyPackage(
                      ROOT + ".xds.translate..",
                      ROOT + ".limits",
                      ROOT + ".access",
                      ROOT + ".configfile",
                      ROOT + ".regex"),
                  resideOutsideOfPackage(ROOT + "..")))
          .andShould()
          .onlyDependOnClassesThat(
              resideOutsideOfPackage("org.springframework..")
                  .and(resideOutsideOfPackage("jakarta.persistence.."))
                  .and(resideOutsideOfPackage("java.nio.file.."))
                  .and(resideOutsideOfPackage("java.net.http.."))
                  .and(
                      belongToAnyOf(
                              File.class,
                              FileInputStream.class,
                              FileOutputStream.class,
                              FileReader.class,
                              FileWriter.class,
                              RandomAccessFile.class,
                              Socket.class,
                              ServerSocket.class,
                              URL.class,
                              URI.class,
                              Clock.class)
                          .negate()));

  @ArchTest
  static final ArchRule translatorReadsNoClock =
      noClasses()
          .that()
          .resideInAnyPackage(ROOT + ".xds.translate..", ROOT + ".limits..", ROOT + ".regex")
          .and()
          .resideOutsideOfPackage(ROOT + ".limits.store")
          .should()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(System.class, "currentTimeMillis");

  /** Validation is pure too: the REST API, the file and the import all run it. */
  @ArchTest
  static final ArchRule validationIsPure =
      classes()
          .that()
          .resideInAnyPackage(ROOT + ".limits.validation", ROOT + ".regex")
          .should()
          .onlyDependOnClassesThat(
              or(
                      resideInAnyPackage(
                          ROOT + ".limits", ROOT + ".limits.validation", ROOT + ".regex"),
                      resideOutsideOfPackage(ROOT + ".."))
                  .and(resideOutsideOfPackage("org.springframework.."))
                  .and(resideOutsideOfPackage("jakarta.persistence..")));

  /** The store knows nothing of HTTP handlers or of xDS: both sit above it. */
  @ArchTest
  static final ArchRule storeBelowRestAndXds =
      noClasses()
          .that()
          .resideInAPackage(ROOT + ".limits.store")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + ".limits.rest", ROOT + ".xds..", ROOT + ".configfile", ROOT + ".admin");

  /** Database access: JPA in the rule store only; JDBC in the rule store and the stats store. */
  @ArchTest
  static final ArchRule jpaOnlyInTheRuleStore =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              ROOT + ".limits.store", ROOT + ".access.store", ROOT + ".routing.store")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("jakarta.persistence..", "org.hibernate..");

  @ArchTest
  static final ArchRule jdbcOnlyInTheStores =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              ROOT + ".limits.store",
              ROOT + ".access.store",
              ROOT + ".routing.store",
              ROOT + ".stats")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework.jdbc..", "java.sql..", "javax.sql..");
}
