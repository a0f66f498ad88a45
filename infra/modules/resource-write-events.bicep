// Auto-protection: Resource Manager writes and deletes of managed clusters (and of their tags) in
// this subscription, through the subscription's Event Grid system topic, to `clusterResourceWrites`.
// Azure allows one system topic per subscription: if one exists, add the subscription to it.
@description('Name of the system topic.')
param systemTopicName string

@description('Resource id of the function app.')
param functionAppId string

@description('Create the event subscription (the function must already be deployed).')
param subscribe bool

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: 'global'
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource clusterWrites 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscribe) {
  parent: topic
  name: 'aks-backup-auto-protection'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/clusterResourceWrites'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
        'Microsoft.Resources.ResourceDeleteSuccess'
      ]
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: [
            'Microsoft.ContainerService/managedClusters/write'
            'Microsoft.ContainerService/managedClusters/delete'
            'Microsoft.Resources/tags/write'
            'Microsoft.Resources/tags/delete'
          ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
