"""Regional overlays, declared once as typed models; no I/O.

A region (`pathway/regions/<region-id>/`) adds its own services and notes to the pathway's nodes without copying
the pathway. It may only add: a red flag, an urgency, a "Get help if" line or any other field of a node is the
same in every region, so an overlay has no key that could remove or change one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints

from carepath.model.nodes import REF_PATTERN, Line, Slug, Strict, Summary

if TYPE_CHECKING:
    from carepath.model.graph import Position

REGION_FILE = "region.yml"
"""The file of a region's folder that says what the region is (`region:`)."""

NodeRef = Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=161)]
"""A node by its full id, as the site knows it: `when-pt-does-not-help/physio`, or `nsaids` in the shared library."""


class RegionInfo(Strict):
    """What a region is: its id (its folder's name), its title, and the edition its pages are built as."""

    id: Slug = Field(description="the region's id, the same as its folder's name under pathway/regions/")
    title: Line = Field(description="the region's name as readers know it")
    edition: Annotated[str, StringConstraints(min_length=1, max_length=20)] = Field(
        description="the edition the region's site is built as (en-GB, en-US): its services are in that country"
    )
    example: bool = Field(False, description="true for made-up demonstration data: every page it touches says so")


class Service(Strict):
    """A local service, shown under "Local services" on each node it is attached to, in its region's build only."""

    id: Slug = Field(description="the service's id, unique in the region")
    name: Line = Field(description="the service's name; plain text")
    nodes: list[NodeRef] = Field(min_length=1, description="the full ids of the nodes whose pages list this service")
    phone: Line | None = Field(None, description="a phone number readers can call (never an emergency or crisis number)")
    address: Line | None = Field(None, description="where the service is; plain text")
    opening_hours: Line | None = Field(None, description="when it is open; plain text")
    referral_criteria: Summary | None = Field(None, description="who can be referred, and how; plain text")
    note: Summary | None = Field(None, description="anything else a reader here should know; plain text")


ADDITIONS = ("note", "summary_addition", "referral_criteria")
"""What a region may add to a node's page, besides its services: nothing it says can take a word away."""


class NodeAddition(Strict):
    """What a region adds to one node's page. Any other key is an error: a region never changes the node."""

    id: NodeRef = Field(description="the full id of the node this adds to")
    note: Summary | None = Field(None, description="a local note, shown under 'Local services'; plain text")
    summary_addition: Summary | None = Field(None, description="a sentence near the top of the page, under the emergency line; plain text")
    referral_criteria: Summary | None = Field(None, description="the region's referral criteria for this node; plain text")


class RegionFile(Strict):
    """One YAML file of a region's folder: `region.yml` says what the region is; any file may add services and notes."""

    region: RegionInfo | None = None
    services: list[Service] = Field(default_factory=list)
    nodes: list[NodeAddition] = Field(default_factory=list)


@dataclass(frozen=True)
class Local:
    """What one region adds to one node's page."""

    services: tuple[Service, ...] = ()
    note: str | None = None
    summary_addition: str | None = None
    referral_criteria: str | None = None


@dataclass
class Region:
    """A validated region: what it is, and what it adds to each node it touches."""

    info: RegionInfo
    position: Position
    """Where its `region:` is written (`region.yml`)."""
    edition_position: Position
    local: dict[str, Local] = field(default_factory=dict)
    """Node id -> what the region adds to its page."""
