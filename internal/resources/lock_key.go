package resources

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// lockKeyDescription is lock_key's description, the same for the resource,
// the action and the pending-migrations data source.
const lockKeyDescription = "The migration lock's key: migrations with the same key never run at the same time, whatever environment, pipeline or provider process runs them " +
	"(the lock is an S3 object, `ebmigrate/locks/<lock_key>.json`, in the provider's `lock.bucket`). Defaults to the environment's name. " +
	"Environments that share a database (blue/green) must name the same key. Up to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit."

// lockKeyValidators refuse a key that is not one S3 object name.
func lockKeyValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(ebmigrate.LockKeyPattern,
		"must be 1 to 128 letters, digits, dots, hyphens and underscores, beginning with a letter or digit (no \"/\"); leave it unset for the environment's name")}
}

// knownLockKey is lock_key's value, "" (the default) when null or unknown.
func knownLockKey(v types.String) string { return knownString(v) }
