"""The cooperation network's picture: a well-formed, accessible, deterministic SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ami.network import graph
from ami.network.graph import Edge, Node, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def _nodes(n: int) -> list[Node]:
    return [Node(i, f"Association numéro {i:02d} de Lens-Liévin") for i in range(1, n + 1)]


def _render(nodes, edges=()):
    return render_svg(nodes, list(edges), "Réseau 2026", "Chaque point est une association.")


@pytest.mark.parametrize("count", [0, 1, 2, 60])
def test_the_picture_is_well_formed_for_0_1_2_and_60_associations(count):
    nodes = _nodes(count)
    edges = [Edge(a.id, b.id, "match") for a, b in zip(nodes, nodes[1:], strict=False)]
    root = _parse(_render(nodes, edges))
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}circle")) == count
    assert len(root.findall(f"./{SVG}g[@class='network-graph__edges']/{SVG}line")) == max(
        count - 1, 0
    )


def test_the_picture_is_an_image_named_by_its_title_and_description():
    root = _parse(_render(_nodes(3)))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Réseau 2026"
    assert desc.text == "Chaque point est une association."


def test_the_same_input_gives_the_same_bytes_whatever_the_order_given():
    nodes = _nodes(7)
    edges = [Edge(1, 5, "hearing"), Edge(2, 3, "essaimage"), Edge(7, 4, "other")]
    once = str(_render(nodes, edges))
    again = str(_render(list(reversed(nodes)), list(reversed(edges))))
    assert once == again


def test_nodes_go_round_the_circle_in_the_order_of_their_names():
    nodes = [Node(1, "Zèbre"), Node(2, "abeille"), Node(3, "Élan")]
    placed = graph.layout(nodes, 100, 200, 200)
    assert [p.node.name for p in placed] == ["abeille", "Élan", "Zèbre"]
    # the first at the top of the circle
    assert (round(placed[0].x), round(placed[0].y)) == (200, 100)


def test_a_long_name_is_truncated_on_the_picture_and_whole_in_its_title():
    name = "Association intercommunale pour l'insertion professionnelle des jeunes"
    root = _parse(_render([Node(1, name), Node(2, "Court")]))
    groups = root.findall(f"./{SVG}g[@class='network-graph__nodes']/{SVG}g")
    titles = [g.find(f"{SVG}title").text for g in groups]
    labels = [g.find(f"{SVG}text").text for g in groups]
    assert name in titles
    assert graph.truncate(name) in labels
    assert graph.truncate(name).endswith("…")
    assert len(graph.truncate(name)) == graph.LABEL_MAX


def test_names_are_escaped():
    nasty = '<script>alert("x")</script> & Cie'
    markup = str(_render([Node(1, nasty), Node(2, "B\x01ien")], [Edge(1, 2, "match", nasty)]))
    assert "<script>" not in markup
    root = _parse(markup)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert nasty in titles
    assert "Bien" in titles


def test_each_origin_has_its_own_colour_and_dash_pattern_and_a_legend():
    edges = [Edge(1, 2, "hearing"), Edge(2, 3, "match"), Edge(3, 4, "essaimage")]
    edges.append(Edge(4, 1, "other"))
    root = _parse(_render(_nodes(4), edges))
    lines = root.findall(f"./{SVG}g[@class='network-graph__edges']/{SVG}line")
    styles = {(line.get("stroke"), line.get("stroke-dasharray")) for line in lines}
    assert len(styles) == 4
    assert len({dash for _colour, dash in styles}) == 4  # not the colour alone
    legend = root.find(f"./{SVG}g[@class='network-graph__legend']")
    assert len(legend.findall(f"{SVG}line")) == 4
    assert len(legend.findall(f"{SVG}text")) == 4


def test_an_unknown_kind_is_drawn_as_other_and_edges_to_unknown_nodes_are_left_out():
    root = _parse(_render(_nodes(2), [Edge(1, 2, "mystery"), Edge(1, 99, "match")]))
    lines = root.findall(f"./{SVG}g[@class='network-graph__edges']/{SVG}line")
    assert [line.get("data-kind") for line in lines] == ["other"]


def test_an_empty_network_says_so():
    markup = render_svg([], [], "Réseau", "Vide", empty_text="Aucune coopération.")
    root = _parse(markup)
    assert "Aucune coopération." in [t.text for t in root.iter(f"{SVG}text")]


def test_labels_stay_level_when_few_and_follow_the_radius_when_many():
    few = _parse(_render(_nodes(6)))
    many = _parse(_render(_nodes(30)))
    assert all(t.get("transform") is None for t in few.iter(f"{SVG}text"))
    rotated = [t for t in many.iter(f"{SVG}text") if t.get("transform")]
    assert len(rotated) == 30
    # never upside down
    for text in rotated:
        angle = float(text.get("transform").split("(")[1].split()[0]) % 360
        assert angle <= 90 or angle >= 270
