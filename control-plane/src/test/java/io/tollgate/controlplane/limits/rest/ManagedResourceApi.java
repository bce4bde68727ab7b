package io.tollgate.controlplane.limits.rest;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The checks every resource managed like the limit rules passes (limit rules, access entries,
 * upstreams, routes): PUT needs the current ETag, the history is paged within {@link
 * HistoryPageLimit}, a deleted entry comes back through restore with {@code If-None-Match: *}.
 *
 * @param path the collection, e.g. {@code /api/v1/access-rules}
 */
public record ManagedResourceApi(MockMvc mvc, String path) {

  /**
   * PUTs {@code body} without If-Match (428 naming it), with a stale ETag (412), then with {@code
   * etag}: that answer, checked to be 200, for the caller's own expectations.
   */
  public ResultActions replaceNeedsTheEtag(String name, String etag, String body) throws Exception {
    mvc.perform(put(path + "/" + name).contentType(MediaType.APPLICATION_JSON).content(body))
        .andExpect(status().isPreconditionRequired())
        .andExpect(jsonPath("$.field").value("If-Match"));
    mvc.perform(
            put(path + "/" + name)
                .header("If-Match", "\"999999\"")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body))
        .andExpect(status().isPreconditionFailed());
    return mvc.perform(
            put(path + "/" + name)
                .header("If-Match", etag)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body))
        .andExpect(status().isOk());
  }

  /**
   * Checks the history of an entry created, updated once and deleted, newest first, the update's
   * {@code before} having {@code beforeValue} at {@code beforePath}; returns the creation's
   * revision.
   */
  public long createdUpdatedDeleted(String name, String beforePath, String beforeValue)
      throws Exception {
    String history =
        mvc.perform(get(path + "/" + name + "/history"))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$[0].change").value("deleted"))
            .andExpect(jsonPath("$[1].change").value("updated"))
            .andExpect(jsonPath("$[1].before." + beforePath).value(beforeValue))
            .andExpect(jsonPath("$[2].change").value("created"))
            .andReturn()
            .getResponse()
            .getContentAsString();
    // The last revision in the page: the oldest, the creation.
    return Long.parseLong(history.replaceAll("(?s).*\"revision\":(\\d+).*", "$1"));
  }

  /**
   * Restores a deleted entry as {@code revision} left it: 428 without a precondition, then with
   * {@code If-None-Match: *} that answer, checked to be 200.
   */
  public ResultActions restoreDeleted(String name, long revision) throws Exception {
    String restore = path + "/" + name + "/restore";
    mvc.perform(post(restore).param("revision", "" + revision))
        .andExpect(status().isPreconditionRequired());
    return mvc.perform(post(restore).param("revision", "" + revision).header("If-None-Match", "*"))
        .andExpect(status().isOk());
  }

  /** {@code ?limit=} of a history page: 1 to {@link HistoryPageLimit#MAX}, else 400 naming it. */
  public void historyPagesAreBounded(String name) throws Exception {
    String history = path + "/" + name + "/history";
    for (String limit : new String[] {"0", "" + (HistoryPageLimit.MAX + 1)}) {
      mvc.perform(get(history).param("limit", limit))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.field").value("limit"));
    }
    for (String limit : new String[] {"1", "" + HistoryPageLimit.MAX}) {
      mvc.perform(get(history).param("limit", limit)).andExpect(status().isOk());
    }
  }
}
