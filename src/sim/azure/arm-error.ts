// Errors of the Azure fake in Resource Manager's shape ({"error":{"code","message","target"?}}), with
// the codes and wording the real service uses, so clients see what they would see in Azure.

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { target?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    this.target = options.target;
    this.headers = options.headers ?? {};
  }

  toBody(): { error: ArmErrorBody } {
    const error: ArmErrorBody = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    return { error };
  }
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
}

export function subscriptionNotFound(subscriptionId: string): ArmError {
  return new ArmError(
    404,
    "SubscriptionNotFound",
    `The subscription '${subscriptionId}' could not be found.`,
  );
}

export function invalidParameter(target: string, message: string): ArmError {
  return new ArmError(400, "InvalidParameter", message, { target });
}

export function missingParameter(target: string): ArmError {
  return invalidParameter(target, `Required parameter '${target}' is missing (null).`);
}

export function operationNotAllowed(message: string): ArmError {
  return new ArmError(409, "OperationNotAllowed", message);
}

export function propertyChangeNotAllowed(property: string): ArmError {
  return new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${property}' is not allowed.`, {
    target: property,
  });
}

export function invalidResourceName(name: string): ArmError {
  return new ArmError(
    400,
    "InvalidResourceName",
    `Resource name ${name} is invalid. The name can be up to 80 characters long. It must begin with a ` +
      "word character, and it must end with a word character or with '_'. The name may contain word " +
      "characters or '.', '-', '_'.",
  );
}
