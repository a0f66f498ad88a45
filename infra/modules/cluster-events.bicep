// AKS events of one cluster (deployed in its resource group): its Event Grid system topic, and,
// once the functions exist, a subscription that hands the upgrade events to `aksClusterEvents`.
// Azure allows one system topic per source resource: a cluster that already has one needs the
// subscription added to that topic instead (docs/deploy.md).
@description('Name of the managed cluster.')
param clusterName string

@description('Name of the system topic.')
param systemTopicName string

@description('Resource id of the function app.')
param functionAppId string

@description('Create the event subscription (the function must already be deployed).')
param subscribe bool

resource cluster 'Microsoft.ContainerService/managedClusters@2024-09-01' existing = {
  name: clusterName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: cluster.location
  properties: {
    source: cluster.id
    topicType: 'Microsoft.ContainerService.ManagedClusters'
  }
}

resource preUpgrade 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribe) {
  parent: topic
  name: 'aks-backup-pre-upgrade'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/aksClusterEvents'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.ContainerService.NewKubernetesVersionAvailable'
        'Microsoft.ContainerService.ClusterSupportEnding'
        'Microsoft.ContainerService.NodePoolRollingStarted'
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
