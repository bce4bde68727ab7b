package io.tollgate.referenceconfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Applies merge keys ({@code <<: *anchor} or {@code <<: [*a, *b]}) in a composed tree, in place, as
 * yaml.v2 does: a merged mapping's keys join the mapping, explicit keys win over merged ones, and
 * of several merged mappings the earlier wins. yaml.v2 applies merges in document order, so an
 * explicit key written <em>before</em> the {@code <<} is overwritten by the merged value, where the
 * YAML merge spec keeps the explicit one: that one ambiguous case is refused, as is a key written
 * twice in one mapping (yaml.v2 would silently keep the last).
 */
final class MergeKeys {

  private final String source;
  private final Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  MergeKeys(String source) {
    this.source = source;
  }

  void apply(Node node) {
    if (!done.add(node)) {
      return;
    }
    if (node instanceof SequenceNode seq) {
      seq.getValue().forEach(this::apply);
    } else if (node instanceof MappingNode mapping) {
      flatten(mapping);
    }
  }

  private void flatten(MappingNode mapping) {
    Map<String, NodeTuple> byKey = new LinkedHashMap<>();
    Set<String> explicit = new HashSet<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node key = tuple.getKeyNode();
      if (Tag.MERGE.equals(key.getTag())) {
        for (MappingNode merged : sources(tuple.getValueNode())) {
          apply(merged);
          for (NodeTuple m : merged.getValue()) {
            String k = text(m.getKeyNode());
            if (explicit.contains(k)) {
              throw error(
                  key,
                  "merge key after explicit key '"
                      + k
                      + "' (the reference would take the merged value, YAML the explicit one);"
                      + " put '<<' first");
            }
            byKey.putIfAbsent(k, m);
          }
        }
        continue;
      }
      String k = text(key);
      if (!explicit.add(k)) {
        throw error(key, "key '" + k + "' appears twice in one mapping");
      }
      apply(tuple.getValueNode());
      byKey.put(k, tuple);
    }
    mapping.setValue(new ArrayList<>(byKey.values()));
    mapping.setMerged(false);
  }

  private List<MappingNode> sources(Node value) {
    if (value instanceof MappingNode m) {
      return List.of(m);
    }
    List<MappingNode> out = new ArrayList<>();
    if (value instanceof SequenceNode seq) {
      for (Node element : seq.getValue()) {
        if (!(element instanceof MappingNode m)) {
          throw error(value, "map merge requires map or sequence of maps as the value");
        }
        out.add(m);
      }
      return out;
    }
    throw error(value, "map merge requires map or sequence of maps as the value");
  }

  private static String text(Node key) {
    return key instanceof ScalarNode s
        ? s.getValue()
        : String.valueOf(System.identityHashCode(key));
  }

  private ConfigException error(Node at, String detail) {
    int line = at.getStartMark() == null ? 0 : at.getStartMark().getLine() + 1;
    return new ConfigException(
        source, "error loading config file: yaml: line " + line + ": " + detail, "");
  }
}
