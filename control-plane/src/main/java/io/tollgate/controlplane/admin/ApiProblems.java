package io.tollgate.controlplane.admin;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 9457 problem details refusing a request before it reaches a controller, in the shape the
 * limits API uses: {@code field} names the header or parameter at fault, {@code errors} lists it
 * with its message.
 */
final class ApiProblems {

  private ApiProblems() {}

  static ProblemDetail of(HttpStatus status, String field, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(status.getReasonPhrase());
    problem.setProperty("field", field);
    problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
    return problem;
  }

  /** Writes the problem as the response, for filters that answer before Spring MVC runs. */
  static void write(HttpServletResponse res, HttpStatus status, String field, String detail)
      throws IOException {
    ProblemDetail problem = of(status, field, detail);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", problem.getType() == null ? "about:blank" : problem.getType().toString());
    body.put("title", problem.getTitle());
    body.put("status", problem.getStatus());
    body.put("detail", problem.getDetail());
    body.putAll(problem.getProperties());
    res.setStatus(status.value());
    res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    res.setCharacterEncoding("UTF-8");
    res.getWriter().write(JsonMapper.shared().writeValueAsString(body));
  }
}
