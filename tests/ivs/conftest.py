"""Fixtures for the IVS layer's unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.stub import Stubber

from bot.ivs.fetch import IvsFetcher
from tests.ivs.stubbing import T0, StubbedIvs


@pytest.fixture
def stubbed_ivs() -> Iterator[StubbedIvs]:
    client = boto3.client("ivs-realtime", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield StubbedIvs(client, stubber)
        stubber.assert_no_pending_responses()


@pytest.fixture
def fetcher(stubbed_ivs: StubbedIvs) -> Iterator[IvsFetcher]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield IvsFetcher(stubbed_ivs, pool, clock=lambda: T0)
