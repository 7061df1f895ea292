"""Rotates a stacksmith ApplicationSecret: a new random value of letters and digits.

Shipped by stacksmith (crates/aws/src/secret_rotation.py) as the code of each rotated secret's
own function. Secrets Manager calls it once per step of a rotation, with the secret's ARN, the
new version's id (ClientRequestToken) and the Step:

  createSecret  puts a new value into the new version, staged AWSPENDING (once per version:
                a retried step finds the value and keeps it);
  setSecret     nothing: an application secret has no other service holding the value;
  testSecret    nothing, for the same reason: the applications read AWSCURRENT;
  finishSecret  moves AWSCURRENT to the new version (AWSPREVIOUS then marks the old one).

The very first rotation, started when the stack is applied, finds no AWSCURRENT version: the
value never passes through Terraform. The value's length is the secret's `stacksmith:length`
tag, which the stack writes.
"""

import logging
import time

import boto3
from botocore.exceptions import ClientError

LENGTH_TAG = "stacksmith:length"
LENGTHS = range(16, 4097)

logger = logging.getLogger()
logger.setLevel(logging.INFO)
client = boto3.client("secretsmanager")


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    # The first rotation starts as the stack is applied: give a just-attached role policy
    # time to propagate instead of failing the rotation (which would leave AWSPENDING behind).
    for attempt in range(5):
        try:
            return rotate(arn, token, step)
        except ClientError as e:
            if e.response["Error"]["Code"] != "AccessDeniedException" or attempt == 4:
                raise
            logger.info("%s: access denied, retrying (IAM propagation)", step)
            time.sleep(2 ** attempt)


def rotate(arn, token, step):
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"rotation is not enabled on {arn}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} of {arn} has no stage for rotation")
    if "AWSCURRENT" in stages[token]:
        logger.info("%s: version %s is already AWSCURRENT", step, token)
        return
    if "AWSPENDING" not in stages[token]:
        raise ValueError(f"version {token} of {arn} is not AWSPENDING")

    if step == "createSecret":
        create(arn, token, metadata)
    elif step in ("setSecret", "testSecret"):
        logger.info("%s: nothing to set or test for an application secret", step)
    elif step == "finishSecret":
        finish(arn, token, stages)
    else:
        raise ValueError(f"unknown rotation step {step}")


def create(arn, token, metadata):
    try:
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        logger.info("createSecret: version %s already has its value", token)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    tags = {t["Key"]: t["Value"] for t in metadata.get("Tags", [])}
    length = int(tags[LENGTH_TAG])
    if length not in LENGTHS:
        raise ValueError(f"{LENGTH_TAG} is {length}, outside 16-4096")
    value = client.get_random_password(
        PasswordLength=length, ExcludePunctuation=True, RequireEachIncludedType=True
    )["RandomPassword"]
    client.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=value, VersionStages=["AWSPENDING"]
    )
    logger.info("createSecret: put a new value into version %s", token)


def finish(arn, token, stages):
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    move = {"SecretId": arn, "VersionStage": "AWSCURRENT", "MoveToVersionId": token}
    if current is not None:
        move["RemoveFromVersionId"] = current
    client.update_secret_version_stage(**move)
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token
    )
    logger.info("finishSecret: version %s is AWSCURRENT (was %s)", token, current)
