"""RDS option group extensions of the project's local AWS (imported by local_aws_server.py).

The provider gives a MySQL database an option group of its own (`<name>-audit-mysql8-0`, with the
MARIADB_AUDIT_PLUGIN option). moto 5.2.5 keeps option groups, their options and settings, their
tags (Add/Remove/ListTagsForResource on `arn:aws:rds:<region>:<account>:og:<name>`) and an
instance's OptionGroupMemberships as AWS does; what it gets wrong is filled here:

- DeleteOptionGroup deletes a group whatever uses it; AWS refuses while an instance is a member or a
  DB snapshot was taken with it, and never deletes a default group (InvalidOptionGroupStateFault).
- DB snapshots do not record their instance's option group (DescribeDBSnapshots has no
  OptionGroupName).
- ModifyDBInstance takes any OptionGroupName, even one that does not exist; AWS answers
  OptionGroupNotFoundFault, as moto's CreateDBInstance already does.
- CreateDBInstance refuses the engine's default group (`default:mysql-8-0`) named explicitly, since
  moto keeps no default groups; AWS accepts it.
"""
from moto.rds.exceptions import OptionGroupNotFoundFaultError, RDSClientError
from moto.rds.models import DBInstance, DBSnapshot, RDSBackend


class InvalidOptionGroupStateFault(RDSClientError):
    # HTTP 400, from the RDS service model (API_DeleteOptionGroup: "The option group isn't in the
    # available state.").
    def __init__(self, message: str):
        super().__init__("InvalidOptionGroupStateFault", message)


def _default_option_group(engine, engine_version) -> str:  # type: ignore[no-untyped-def]
    """The default option group moto puts an instance of this engine and version in (DBInstance's
    own rule: `default:<engine>-<major>-<minor>`, e.g. `default:mysql-8-0`)."""
    version = engine_version or DBInstance.default_engine_versions.get(engine, "")
    parts = str(version).split(".")
    suffix = parts[0] + ("-" + parts[1] if len(parts) > 1 else "")
    return f"default:{engine}-{suffix}"


def _is_default(name) -> bool:  # type: ignore[no-untyped-def]
    return str(name).lower().startswith("default:")


# ---- DB snapshots record their instance's option group ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshot.html: OptionGroupName,
# "Provides the option group name for the DB snapshot." It is the instance's at the time the snapshot
# was taken (a manual snapshot, a final one, an automated backup); moto's DBSnapshot has none. The
# snapshot keeps a copy of its instance as it was, which holds the name.


def _snapshot_option_group_name(self):  # type: ignore[no-untyped-def]
    return getattr(self.database, "option_group_name", None)


DBSnapshot.option_group_name = property(_snapshot_option_group_name)


# ---- DeleteOptionGroup: not while in use, never a default group ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteOptionGroup.html: "You can't
# delete default option groups"; InvalidOptionGroupStateFault (400). AWS answers it, "The option
# group '<name>' cannot be deleted because it is in use.", while a DB instance is a member of the
# group (OptionGroupMemberships) or a DB snapshot was taken with it (RDS user guide, "Working with
# option groups": an option group associated with a snapshot cannot be deleted): a manual or final
# snapshot, or an automated backup kept after its instance was deleted (DeleteDBInstance
# DeleteAutomatedBackups=false). Deleting those snapshots frees the group. The automated backups of
# a live instance are not counted: moto takes one at create whatever BackupRetentionPeriod, and the
# instance's own membership already holds its group. moto deleted the group in every case, and
# answered OptionGroupNotFoundFault (404) for a default group. The message for a default group is
# the emulator's (AWS documents the rule, not its text).


def _option_group_in_use(backend, name) -> bool:  # type: ignore[no-untyped-def]
    key = name.lower()
    for database in backend.databases.values():
        if str(database.option_group_name or "").lower() == key:
            return True
    for snapshot in backend.database_snapshots.values():
        if snapshot.snapshot_type == "automated" and snapshot.db_instance_identifier in backend.databases:
            continue
        if str(snapshot.option_group_name or "").lower() == key:
            return True
    return False


_moto_delete_option_group = RDSBackend.delete_option_group


def _delete_option_group(self, option_group_name):  # type: ignore[no-untyped-def]
    if _is_default(option_group_name):
        raise InvalidOptionGroupStateFault(
            f"The option group '{option_group_name}' cannot be deleted because it is a default option group."
        )
    if option_group_name in self.option_groups and _option_group_in_use(self, option_group_name):
        raise InvalidOptionGroupStateFault(
            f"The option group '{option_group_name}' cannot be deleted because it is in use."
        )
    return _moto_delete_option_group(self, option_group_name)


RDSBackend.delete_option_group = _delete_option_group


# ---- An instance's OptionGroupName: an existing group, or its engine's default ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html (and
# API_CreateDBInstance): OptionGroupName is "The option group to associate the DB instance with";
# an unknown one is OptionGroupNotFoundFault (404), "Specified OptionGroupName: <name> not found."
# (moto's text, which its CreateDBInstance already answers). moto's ModifyDBInstance took any name
# and reported it in OptionGroupMemberships. The engine version's default group (`default:mysql-8-0`)
# always exists in AWS, so an instance can be put back in it; moto keeps no default groups, so its
# CreateDBInstance refused the name given explicitly: here it is taken as no name (moto then puts
# the instance in that same default group).


def _known_option_group(backend, name, engine, engine_version) -> bool:  # type: ignore[no-untyped-def]
    if name in backend.option_groups:
        return True
    return str(name).lower() == _default_option_group(engine, engine_version).lower()


_moto_create_db_instance = RDSBackend.create_db_instance


def _create_db_instance(self, db_kwargs):  # type: ignore[no-untyped-def]
    name = db_kwargs.get("OptionGroupName")
    if (
        name
        and name not in self.option_groups
        and _known_option_group(self, name, db_kwargs.get("Engine"), db_kwargs.get("EngineVersion"))
    ):
        del db_kwargs["OptionGroupName"]
    return _moto_create_db_instance(self, db_kwargs)


_moto_modify_db_instance = RDSBackend.modify_db_instance


def _modify_db_instance(self, db_instance_identifier, db_kwargs):  # type: ignore[no-untyped-def]
    name = db_kwargs.get("OptionGroupName")
    if name:
        database = self.describe_db_instances(db_instance_identifier)[0]
        version = db_kwargs.get("EngineVersion") or database.engine_version
        if not _known_option_group(self, name, database.engine, version):
            raise OptionGroupNotFoundFaultError(name)
    return _moto_modify_db_instance(self, db_instance_identifier, db_kwargs)


RDSBackend.create_db_instance = _create_db_instance
RDSBackend.modify_db_instance = _modify_db_instance


# ---- DescribeOptionGroups without a name ----
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeOptionGroups.html: every
# parameter is optional; filtered by EngineName (and MajorEngineVersion) it lists the groups that
# match, none being an empty list. OptionGroupNotFoundFault answers only a named group that does
# not exist. moto reads the name unconditionally (a KeyError: HTTP 500 without one) and answers
# OptionGroupNotFoundFault for an empty list.


def _describe_option_groups(self, option_group_kwargs):  # type: ignore[no-untyped-def]
    name = option_group_kwargs.get("option_group_name")
    engine = option_group_kwargs.get("engine_name")
    major = option_group_kwargs.get("major_engine_version")
    found = [
        g
        for g in self.option_groups.values()
        if (not name or g.name == name)
        and (not engine or g.engine_name == engine)
        and (not major or g.major_engine_version == major)
    ]
    if name and not found:
        raise OptionGroupNotFoundFaultError(name)
    return found


RDSBackend.describe_option_groups = _describe_option_groups
