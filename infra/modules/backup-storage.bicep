// The backup storage account: recovery points (archives, manifests, logs), definitions and state.
// Private container, Entra ID only (shared keys off), versioning and soft delete on, an optional
// immutability policy on every blob version, and a lifecycle rule that moves blobs to Cool.
@description('Name of the storage account (3-24 lower-case letters and digits).')
param name string

@description('Region of the account.')
param location string

@description('Tags of the account.')
param tags object

@description('Container for recovery points, definitions and state.')
param containerName string

@description('Days every blob version stays immutable; 0: no policy.')
param immutabilityDays int

@description('Days after its last change a blob moves to the Cool tier.')
param coolAfterDays int

@description('Days deleted blobs, containers and previous versions are kept.')
param softDeleteDays int

@allowed([
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_LRS'
])
@description('Redundancy: zone-redundant by default; GRS/GZRS keep a copy in the paired region.')
param skuName string = 'Standard_ZRS'

// Previous versions are removed once neither soft delete nor immutability needs them.
var versionDays = max(softDeleteDays, immutabilityDays) + 1

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
    // Version-level WORM: a version cannot be changed or deleted for immutabilityDays; the app can
    // still write new versions and delete current ones (locks, state, expired recovery points).
    immutableStorageWithVersioning: immutabilityDays > 0
      ? {
          enabled: true
          immutabilityPolicy: {
            immutabilityPeriodSinceCreationInDays: immutabilityDays
            state: 'Unlocked'
            allowProtectedAppendWrites: false
          }
        }
      : null
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'recovery-points-to-cool'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${containerName}/'
              ]
            }
            actions: {
              baseBlob: {
                tierToCool: {
                  daysAfterModificationGreaterThan: coolAfterDays
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: versionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    container
  ]
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
// The app setting wants the origin, without the trailing slash.
output blobEndpointOrigin string = 'https://${account.name}.blob.${environment().suffixes.storage}'
