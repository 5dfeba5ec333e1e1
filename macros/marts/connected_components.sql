{#- Connected components of an undirected graph in ONE recursive query: every node gets the
    smallest node id of its component as its label (min-label propagation).

    `edges` names a relation (a CTE) with columns src and dst holding BOTH directions of
    every link, and a (node, node) row for every node (so isolated nodes get a label).
    Emits the CTE `name (node, label)`; the calling model starts with `with recursive`.

    On DuckDB the recursion keeps one row per node (`using key`) and only moves a node
    when a smaller label reaches it, so it does O(edges x diameter) work. Elsewhere the
    portable version enumerates (node, reachable label) pairs, which is quadratic in the
    size of a component: fine for person graphs (a handful of identities each). -#}
{% macro ror_connected_components(name, edges) -%}
    {{ return(adapter.dispatch('ror_connected_components')(name, edges)) }}
{%- endmacro %}

{% macro duckdb__ror_connected_components(name, edges) -%}
{{ name }} (node, label) using key (node) as (

    select distinct
        src as node,
        src as label
    from {{ edges }}

    union

    select
        {{ edges }}.dst as node,
        min({{ name }}.label) as label
    from {{ name }}
    inner join {{ edges }}
        on {{ name }}.node = {{ edges }}.src
    left join recurring.{{ name }} as current_labels
        on {{ edges }}.dst = current_labels.node
    group by {{ edges }}.dst
    having min({{ name }}.label) < min(current_labels.label)

)
{%- endmacro %}

{% macro default__ror_connected_components(name, edges) -%}
{{ name }}__reach (node, label) as (

    select distinct
        src as node,
        src as label
    from {{ edges }}

    union

    select
        {{ edges }}.dst as node,
        {{ name }}__reach.label
    from {{ name }}__reach
    inner join {{ edges }}
        on {{ name }}__reach.node = {{ edges }}.src

),

{{ name }} as (

    select
        node,
        min(label) as label
    from {{ name }}__reach
    group by node

)
{%- endmacro %}
