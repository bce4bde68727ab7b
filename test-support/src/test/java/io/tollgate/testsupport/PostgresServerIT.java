package io.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresServerIT {

  @Test
  void startsAServerWithTheDatabaseAndStopsIt() throws Exception {
    long pid;
    try (PostgresServer pg = PostgresServer.start("tollgate_it")) {
      pid = pg.pid();
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
          Statement s = c.createStatement()) {
        s.execute("create table t (id int primary key, name text)");
        s.execute("insert into t values (1, 'uno'), (2, 'dos')");
        try (ResultSet rs = s.executeQuery("select current_database(), count(*) from t")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("tollgate_it");
          assertThat(rs.getInt(2)).isEqualTo(2);
        }
      }
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
  }
}
