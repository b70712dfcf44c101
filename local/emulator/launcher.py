"""Start moto_server with the few patches this project needs (see docs/adr/0003-emulator.md).

Each patch makes moto 5.2.1 behave like AWS where the control plane depends on it:
  1. Step Functions executions really run (moto's default only fakes them).
  2. A second StartExecution no longer fails with "cannot pickle '_thread.RLock'".
  3. StartExecution without a name gets a fresh UUID, as on AWS.
  4. Stacks with route tables can be deleted (moto has no CloudFormation delete for them).
  5. DeletionPolicy: Snapshot on an RDS DB instance leaves a final snapshot, as on AWS.
  6. DynamoDB requests are serialised, so conditional writes are atomic under concurrency.
  7. AWS::EC2::SecurityGroupEgress and AWS::FSx::FileSystem are created (moto skips them).
  8. A JSONPath filter or wildcard that matches nothing yields [] (AWS does; moto raises for
     filters and nested wildcards: getmoto/moto#10078).
  9. $$.State.EnteredTime reads like AWS's (2026-01-31T12:00:00.123Z, not +00:00 microseconds).
 10. Step Functions' own API (camelCase: taskToken, stateMachineArn) takes the PascalCase parameter
     names workflows use, as AWS does (moto passes them to boto unchanged and fails: 'TaskToken').
 11. Reading a deleted stack does not bring its resources back: moto resolves outputs and lists
     resources lazily, re-creating a deleted resource on first reference (a named log group then
     blocks the next stack of that name, as a second team's create of a torn-down id showed).
 12. A wait condition handle resolves to a URL, as on AWS (moto resolves it to nothing, and a
     template that passes it to an instance fails). Wait conditions stay skipped: no instance boots here.
 13. moto runs no user data: an instance whose boot reports on itself (the master's user data writes
     the det-master-boot tag once Determined answers) gets that report when it starts, as on AWS.
     Test seam (emulator only): an instance tagged det-emulator-unbootable with a comma-separated list
     of Determined versions never reports a boot of those versions, like a master that never answers.
 14. A cancelled TransactWriteItems leaves the table's stream alone. moto rolls back by putting a deep
     copy of the table in its place, stream and all: every reader's iterator then points at the old
     table's stream, which nothing writes to any more, so the local stream consumer (webhook events,
     workflow audit entries, metrics) went silent for the rest of the run after one cancelled
     transaction (50 concurrent creates of one id cancel 49). AWS also writes no stream record for a
     cancelled transaction, so the records its applied part appended are dropped.
 15. A stack update that changes an EC2 instance's user data (an upgrade's new Determined version)
     stops and starts that instance with the new user data, as AWS does ("Update requires: Some
     interruptions"), so its boot reports the new version (13). moto has no update for instances and
     for a few other types and left the resource as None, which broke every output that refers to it;
     such resources now stay as they are (AWS updates them in place).
 16. A change set of an update lists what a parameter change modifies (moto compares templates only,
     so an update with new parameter values listed nothing) and says whether it replaces each
     resource: Replacement "True" when a changed property is one of its type's createOnlyProperties
     (create-only-properties.json, checked against the provider schemas by `npm run check:aws`),
     "False" otherwise, "Conditional" for a type the file does not know; moto has no Replacement.
     CreateChangeSet finds the stack by its id (ARN) as well as by its name, as AWS does.
Usage: python3 launcher.py [moto_server args, e.g. -H 127.0.0.1 -p 4566]
"""
import sys
import threading
import uuid


def main(argv):
    try:
        import moto  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "moto is not installed for this python3. Install it with:\n"
            "  pip install 'moto[server]==5.2.1'\n"
        )
        return 3

    from moto.core import config as moto_config

    moto_config.default_user_config["stepfunctions"] = {"execute_state_machine": True}

    from moto.stepfunctions.parser.backend import execution as sfn_execution
    from moto.stepfunctions.parser import models as sfn_models

    # 2. Deep-copying a state machine copies its executions, whose workers hold locks.
    sfn_execution.Execution.__deepcopy__ = lambda self, memo: self

    # 3. AWS names an unnamed execution with a UUID; moto uses "None" and then collides.
    original_start = sfn_models.StepFunctionsParserBackend.start_execution

    def start_execution(self, state_machine_arn, name=None, *args, **kwargs):
        return original_start(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    sfn_models.StepFunctionsParserBackend.start_execution = start_execution

    # 4. Route tables and their subnet associations have no CloudFormation delete in moto.
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.route_tables import RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation

    def delete_route_table(self, account_id, region_name):
        backend = ec2_backends[account_id][region_name]
        for association_id in list(self._associations):
            backend.disassociate_route_table(association_id)
        backend.delete_route_table(self.id)

    def delete_subnet_association(self, account_id, region_name):
        backend = ec2_backends[account_id][region_name]
        backend.subnet_associations.pop(f"{self.route_table_id}:{self.subnet_id}", None)

    RouteTable.delete = delete_route_table
    SubnetRouteTableAssociation.delete = delete_subnet_association

    # 5. CloudFormation takes a final snapshot of a DB instance whose DeletionPolicy is Snapshot.
    from moto.cloudformation.parsing import ResourceMap
    from moto.rds.models import DBInstance, rds_backends

    original_delete_resource = ResourceMap._delete_resource

    def delete_resource(self, parsed_resource, resource_json):
        if isinstance(parsed_resource, DBInstance) and resource_json.get("DeletionPolicy") == "Snapshot":
            backend = rds_backends[self._account_id][self._region_name]
            identifier = parsed_resource.db_instance_identifier
            backend.delete_db_instance(
                identifier, final_db_snapshot_identifier=f"{identifier}-final-{uuid.uuid4().hex[:8]}"
            )
            return
        original_delete_resource(self, parsed_resource, resource_json)

    ResourceMap._delete_resource = delete_resource

    # 11. Resolve a stack's outputs before its resources go, so that a later DescribeStacks reads
    #     them from the cache instead of re-creating what they refer to.
    from moto.cloudformation.models import Stack

    original_stack_delete = Stack.delete

    def delete_stack(self):
        for key in list(self.output_map):
            try:
                self.output_map[key]
            except Exception:  # an output moto cannot resolve is not worth failing the delete
                pass
        original_stack_delete(self)
        self.resource_map.gone = True

    Stack.delete = delete_stack

    # ...and a deleted stack's resource map is empty: ListStackResources on it re-created them too.
    original_getitem, original_iter, original_len = (
        ResourceMap.__getitem__,
        ResourceMap.__iter__,
        ResourceMap.__len__,
    )

    def getitem(self, key):
        if getattr(self, "gone", False):
            raise KeyError(key)
        return original_getitem(self, key)

    ResourceMap.__getitem__ = getitem
    ResourceMap.__iter__ = lambda self: iter(()) if getattr(self, "gone", False) else original_iter(self)
    ResourceMap.__len__ = lambda self: 0 if getattr(self, "gone", False) else original_len(self)

    # 6. moto checks a condition and then writes, without a lock: serialise DynamoDB calls.
    from moto.dynamodb.responses import DynamoHandler

    dynamodb_lock = threading.Lock()
    original_call_action = DynamoHandler.call_action

    def call_action(self):
        with dynamodb_lock:
            return original_call_action(self)

    DynamoHandler.call_action = call_action

    _add_cloudformation_models()
    _align_step_functions_with_aws()
    _report_master_boots()
    _keep_streams_through_cancelled_transactions()
    _update_instances_in_place()
    _describe_replacements()

    from moto.server import main as moto_main

    return moto_main(argv)


def _align_step_functions_with_aws():
    import datetime as dt

    from moto.stepfunctions.parser.asl.component.state import state as state_module
    from moto.stepfunctions.parser.asl.utils import json_path

    # 8. Filters ("[?(...)]") and wildcards ("[*]") with no match are an empty list on AWS.
    original_extract = json_path.extract_json

    def extract_json(path, data):
        try:
            return original_extract(path, data)
        except json_path.NoSuchJsonPathError:
            if "[?(" in path or "[*]" in path:
                return []
            raise

    json_path.extract_json = extract_json
    for module in list(sys.modules.values()):
        if getattr(module, "extract_json", None) is original_extract and module is not json_path:
            module.extract_json = extract_json

    # 9. Millisecond UTC timestamps with a Z, as Step Functions writes them.
    class AwsTimestamp(dt.datetime):
        def isoformat(self, *args, **kwargs):
            return self.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.microsecond // 1000:03d}Z"

    class DatetimeModule:
        datetime = AwsTimestamp
        timezone = dt.timezone

    state_module.datetime = DatetimeModule

    # 10. SendTaskSuccess, StartExecution: PascalCase names to the names of the Step Functions API.
    import botocore.session
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service

    service_model = botocore.session.get_session().get_service_model("stepfunctions")
    operations = {name.lower(): name for name in service_model.operation_names}
    original_normalise = state_task_service.StateTaskService._normalise_parameters

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        original_normalise(self, parameters, boto_service_name, service_action_name)
        if self._get_boto_service_name(boto_service_name) != "stepfunctions":
            return
        action = self._get_boto_service_action(service_action_name).replace("_", "")
        operation = operations.get(action)
        if operation is None:
            return
        members = {member.lower(): member for member in service_model.operation_model(operation).input_shape.members}
        for key in list(parameters):
            name = members.get(key.lower())
            if name and name != key:
                parameters[name] = parameters.pop(key)

    state_task_service.StateTaskService._normalise_parameters = normalise_parameters


def _keep_streams_through_cancelled_transactions():
    """14. The table that a rollback puts back keeps the stream its readers hold, without the cancelled writes.

    Every DynamoDB call runs under the lock of patch 6 (Step Functions' integrations come in over HTTP
    too), so nothing else appends to a stream while a transaction runs.
    """
    from moto.dynamodb.models import DynamoDBBackend

    original_transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        before = {
            name: (table, table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if table.stream_shard is not None
        }
        try:
            return original_transact(self, transact_items)
        except Exception:
            for name, (table, shard, length) in before.items():
                del shard.items[length:]
                restored = self.tables.get(name)
                if restored is not None and restored is not table:
                    restored.stream_shard = shard
                    shard.table = restored
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


BOOT_TAG = "det-master-boot"
UNBOOTABLE_TAG = "det-emulator-unbootable"


def _report_master_boots():
    """13. What the master's boot does once GET /info answers: tag its own instance "answered <version>"."""
    import base64
    import re

    from moto.ec2.models.instances import Instance

    def boot_script(instance):
        text = instance.user_data or ""
        if isinstance(text, (list, tuple)):
            text = text[0] if text else ""
        try:
            return base64.b64decode(text).decode("utf-8", "replace")
        except Exception:
            return str(text)

    original_start = Instance.start

    def start(self):
        previous = original_start(self)
        script = boot_script(self)
        if BOOT_TAG in script:
            version = re.search(r"^version='([0-9A-Za-z.+-]+)'", script, re.M) or re.search(
                r"determined-master:([0-9A-Za-z.+-]+)", script
            )
            answered = version.group(1) if version else "unknown"
            unbootable = next((t["value"] for t in self.get_tags() if t["key"] == UNBOOTABLE_TAG), "")
            if answered in [v.strip() for v in unbootable.split(",")]:
                return previous  # the test seam: this version's master never answers
            self.add_tag(BOOT_TAG, "answered " + answered)
        return previous

    Instance.start = start


def _update_instances_in_place():
    """15. UpdateStack with new user data restarts the instance with it; unsupported updates keep the resource."""
    from moto.cloudformation import parsing
    from moto.ec2.models.instances import Instance

    original_update = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        parsed = parsing.parse_resource_and_generate_name(logical_id, resource_json, resources_map)
        if not parsed:
            return None
        resource_class, cleaned, _ = parsed
        if not hasattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__"):
            return original_update(logical_id, resource_json, resources_map, account_id, region_name)
        current = resources_map[logical_id]
        if isinstance(current, Instance):
            properties = cleaned.get("Properties", {})
            user_data = properties.get("UserData")
            if properties.get("InstanceType"):
                current.instance_type = properties["InstanceType"]
            if user_data is not None and user_data != current.user_data:
                current.user_data = user_data
                current.stop()
                current.start()  # patch 13 writes the boot report of the new user data
        return current

    parsing.parse_and_update_resource = parse_and_update_resource

    # moto finds the parameters a resource uses by its Refs only: a ${Parameter} of an Fn::Sub
    # (the master's user data names DeterminedVersion so) counts too, as on AWS.
    import re

    original_references = parsing.get_references_from_template

    def get_references_from_template(template):
        references = original_references(template)
        stack = [template]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "Fn::Sub":
                        text = value[0] if isinstance(value, list) else value
                        if isinstance(text, str):
                            references.extend(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))
                    stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)
        return references

    parsing.get_references_from_template = get_references_from_template


def _add_cloudformation_models():
    """7. Teach moto's CloudFormation two resource types it would otherwise skip silently."""
    from moto.core.common_models import CloudFormationModel
    from moto.ec2.models import ec2_backends
    from moto.fsx.models import fsx_backends

    class SecurityGroupEgress(CloudFormationModel):
        __module__ = "moto.ec2.models"  # moto files models by the service named in their module

        def __init__(self, group_id, properties):
            self.group_id = group_id
            self.properties = properties

        @staticmethod
        def cloudformation_name_type():
            return ""

        @staticmethod
        def cloudformation_type():
            return "AWS::EC2::SecurityGroupEgress"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json["Properties"]
            backend = ec2_backends[account_id][region_name]
            destination = props.get("DestinationSecurityGroupId")
            backend.authorize_security_group_egress(
                group_name_or_id=props["GroupId"],
                ip_protocol=props["IpProtocol"],
                from_port=props.get("FromPort"),
                to_port=props.get("ToPort"),
                ip_ranges=[{"CidrIp": props["CidrIp"]}] if props.get("CidrIp") else [],
                source_groups=[{"GroupId": destination}] if destination else [],
            )
            return cls(props["GroupId"], props)

        @property
        def physical_resource_id(self):
            return f"{self.group_id}-egress"

    class LustreFileSystem(CloudFormationModel):
        __module__ = "moto.fsx.models"

        def __init__(self, file_system):
            self.file_system = file_system

        @staticmethod
        def cloudformation_name_type():
            return ""

        @staticmethod
        def cloudformation_type():
            return "AWS::FSx::FileSystem"

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr in ("LustreMountName", "DNSName")

        def get_cfn_attribute(self, attribute_name):
            if attribute_name == "DNSName":
                return self.file_system.dns_name
            return (self.file_system.lustre_configuration or {}).get("MountName", "fsx")

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json["Properties"]
            lustre = dict(props.get("LustreConfiguration") or {})
            lustre.setdefault("MountName", uuid.uuid4().hex[:8])
            file_system = fsx_backends[account_id][region_name].create_file_system(
                client_request_token=str(uuid.uuid4()),
                file_system_type=props["FileSystemType"],
                storage_capacity=int(props.get("StorageCapacity", 1200)),
                storage_type=props.get("StorageType", "SSD"),
                subnet_ids=props.get("SubnetIds", []),
                security_group_ids=props.get("SecurityGroupIds", []),
                tags=props.get("Tags"),
                kms_key_id=props.get("KmsKeyId"),
                windows_configuration=None,
                lustre_configuration=lustre,
                ontap_configuration=None,
                file_system_type_version=props.get("FileSystemTypeVersion"),
                open_zfs_configuration=None,
            )
            return cls(file_system)

        @property
        def physical_resource_id(self):
            return self.file_system.file_system_id

        def delete(self, account_id, region_name):
            fsx_backends[account_id][region_name].delete_file_system(
                self.file_system.file_system_id, str(uuid.uuid4()), None, None, None
            )

    # 12. A handle is a presigned S3 URL on AWS; here a URL of the same shape that nothing listens on.
    from moto.cloudformation import parsing

    class WaitConditionHandle(CloudFormationModel):
        __module__ = "moto.cloudformation.models"

        def __init__(self, url):
            self.url = url

        @staticmethod
        def cloudformation_name_type():
            return ""

        @staticmethod
        def cloudformation_type():
            return "AWS::CloudFormation::WaitConditionHandle"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            return cls(
                f"https://cloudformation-waitcondition-{region_name}.s3.amazonaws.com/"
                f"{account_id}/{uuid.uuid4()}/{resource_name}?X-Amz-Signature=emulator"
            )

        @property
        def physical_resource_id(self):
            return self.url

    if "AWS::CloudFormation::WaitConditionHandle" in parsing.NULL_MODELS:
        parsing.NULL_MODELS.remove("AWS::CloudFormation::WaitConditionHandle")

    return SecurityGroupEgress, LustreFileSystem, WaitConditionHandle


def _describe_replacements():
    """16. Change sets list the resources a parameter change modifies, with Replacement from createOnlyProperties."""
    import json
    import os
    import re

    from moto.cloudformation import models

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "create-only-properties.json"), encoding="utf-8") as file:
        create_only = json.load(file)["types"]

    original_diff = models.ChangeSet.diff

    def references(node):
        """Parameters, conditions and resources a piece of template names (Ref, Fn::Sub, Fn::If, GetAtt)."""
        names = set()
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if key in ("Ref", "Condition") and isinstance(value, str):
                        names.add(value)
                    elif key == "Fn::GetAtt":
                        target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                        names.add(target)
                    elif key == "Fn::If" and isinstance(value, list) and value:
                        names.add(value[0])
                    elif key == "Fn::Sub":
                        text = value[0] if isinstance(value, list) else value
                        if isinstance(text, str):
                            names.update(n.split(".")[0] for n in re.findall(r"\$\{([A-Za-z0-9:.]+)\}", text))
                    stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
        return names

    def diff(self):
        changes = original_diff(self)
        if self.change_set_type != "UPDATE":
            return changes
        resource_map = self.stack.resource_map
        old = resource_map._resource_json_map
        new = self.template_dict.get("Resources", {})
        before = dict(resource_map.input_parameters or {})
        changed = {name for name, value in self.parameters.items() if before.get(name) != value}
        # Conditions that read a changed parameter (or such a condition) change with it.
        conditions = self.template_dict.get("Conditions", {}) or {}
        grew = True
        while grew:
            grew = False
            for name, body in conditions.items():
                if name not in changed and references(body) & changed:
                    changed.add(name)
                    grew = True
        # Properties that changed: different text, or naming something that changed; a replaced
        # resource changes the properties that name it (its id or attributes), and so on.
        touched, replaced = {}, set()
        grew = True
        while grew:
            grew = False
            for logical_id, resource in new.items():
                if logical_id not in old:
                    continue
                props_new = resource.get("Properties", {}) or {}
                props_old = old[logical_id].get("Properties", {}) or {}
                names = sorted(
                    name
                    for name in set(props_new) | set(props_old)
                    if props_new.get(name) != props_old.get(name)
                    or references(props_new.get(name)) & (changed | replaced)
                )
                if names != touched.get(logical_id, []):
                    touched[logical_id] = names
                    grew = True
                kind = create_only.get(resource.get("Type"))
                if kind is not None and set(names) & set(kind) and logical_id not in replaced:
                    replaced.add(logical_id)
                    grew = True
        kept = [change for change in changes if change.action != "Modify"]
        for logical_id, names in touched.items():
            if not names:
                continue
            resource_type = new[logical_id]["Type"]
            kind = create_only.get(resource_type)
            change = models.Change(action="Modify", logical_resource_id=logical_id, resource_type=resource_type)
            change.replacement = "Conditional" if kind is None else ("True" if logical_id in replaced else "False")
            change.scope = ["Properties"]
            change.details = [
                {
                    "Target": {
                        "Attribute": "Properties",
                        "Name": name,
                        "RequiresRecreation": "Conditionally" if kind is None else ("Always" if name in kind else "Never"),
                    },
                    "Evaluation": "Static",
                    "ChangeSource": "DirectModification",
                }
                for name in names
            ]
            physical = resource_map._parsed_resources.get(logical_id)
            change.physical_resource_id = getattr(physical, "physical_resource_id", None)
            kept.append(change)
        return kept

    models.ChangeSet.diff = diff

    original_create = models.CloudFormationBackend.create_change_set

    def create_change_set(self, stack_name, *args, **kwargs):
        # AWS takes the stack's name or its id (ARN) for StackName; moto matched the name only.
        stack = self.stacks.get(stack_name)
        return original_create(self, stack.name if stack else stack_name, *args, **kwargs)

    models.CloudFormationBackend.create_change_set = create_change_set


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
