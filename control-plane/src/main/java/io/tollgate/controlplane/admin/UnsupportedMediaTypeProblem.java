package io.tollgate.controlplane.admin;

import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * 415 for a body whose {@code Content-Type} is not the one its endpoint declares ({@code
 * consumes}). This is what keeps a web page from posting to the API: the only bodies a browser
 * sends cross-origin without a CORS preflight are {@code text/plain}, form and multipart ones.
 * Global (not tied to one controller) because Spring raises it while choosing the handler, before
 * there is one.
 */
@RestControllerAdvice
class UnsupportedMediaTypeProblem {

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<ProblemDetail> unsupported(HttpMediaTypeNotSupportedException e) {
    String supported =
        e.getSupportedMediaTypes().stream()
            .map(MediaType::toString)
            .collect(Collectors.joining(", "));
    MediaType given = e.getContentType();
    return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
        .header(HttpHeaders.ACCEPT, supported)
        .body(
            ApiProblems.of(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                HttpHeaders.CONTENT_TYPE,
                "the body must be sent as Content-Type: "
                    + supported
                    + (given == null ? " (none was given)" : ", not " + given)));
  }
}
